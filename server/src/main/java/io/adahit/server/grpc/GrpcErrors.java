package io.adahit.server.grpc;

import io.adahit.agents.errors.ErrorKind;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * gRPC's side of {@link ErrorKind}: each kind's Status, shared by DialogueService and
 * AdminService. A user mistake is never INTERNAL, and a bug (an internal invariant failing) is
 * never INVALID_ARGUMENT: it is INTERNAL with a generic description, and logged here.
 */
public final class GrpcErrors {

  private static final Logger LOG = LoggerFactory.getLogger(GrpcErrors.class);

  private GrpcErrors() {}

  /** The Status of a kind. */
  public static Status status(ErrorKind kind) {
    return switch (kind) {
      case INVALID -> Status.INVALID_ARGUMENT;
      case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
      case NOT_FOUND -> Status.NOT_FOUND;
      case CONFLICT -> Status.FAILED_PRECONDITION;
      case OVERLOADED -> Status.RESOURCE_EXHAUSTED;
      case UNAVAILABLE -> Status.UNAVAILABLE;
      case CANCELLED -> Status.CANCELLED;
      case INTERNAL -> Status.INTERNAL;
    };
  }

  /**
   * The Status a client gets for {@code t}: a StatusRuntimeException as it is, else its kind's
   * Status with {@link ErrorKind#clientMessage}; an internal error is logged with its stack trace.
   */
  public static StatusRuntimeException toStatus(Throwable t) {
    Throwable e = ErrorKind.unwrap(t);
    if (e instanceof StatusRuntimeException sre) {
      return sre;
    }
    if (e instanceof io.adahit.server.chat.ConversationConflictException) {   // lost a race: resend is safe
      return Status.ABORTED.withDescription(e.getMessage()).asRuntimeException();
    }
    ErrorKind kind = ErrorKind.of(e);
    if (kind == ErrorKind.INTERNAL) {
      LOG.error("gRPC call failed", e);
    }
    return status(kind).withDescription(ErrorKind.clientMessage(e)).asRuntimeException();
  }
}
