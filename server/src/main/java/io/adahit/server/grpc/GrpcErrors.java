package io.adahit.server.grpc;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import io.adahit.agents.errors.ErrorKind;
import io.adahit.server.inference.OverloadedException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * gRPC's side of {@link ErrorKind}, shared by DialogueService and AdminService: each kind's Status
 * code, and a machine-readable {@code google.rpc.ErrorInfo} in the status details (domain {@value
 * #DOMAIN}), so that clients can tell apart failures that share a code. A user mistake is never
 * INTERNAL, and a bug (an internal invariant failing) is never INVALID_ARGUMENT: it is INTERNAL
 * with a generic description, and logged here.
 *
 * <p>The ErrorInfo's {@code reason} is the error's tag in upper case ({@link ErrorKind#tag}): a
 * specific one where the server has it ({@code TOO_MANY_CONVERSATIONS}, {@code UNKNOWN_SKILL},
 * {@code TOO_LONG}, {@code SHUTTING_DOWN}...), else its kind's ({@code INVALID}, {@code NOT_FOUND},
 * {@code CONFLICT}, {@code UNAVAILABLE}, {@code INTERNAL}...); a full turn or Rank queue is {@code
 * QUEUE_FULL}. Its metadata holds {@code kind}, the {@link ErrorKind} tag.
 *
 * <pre>{@code
 * // client side
 * com.google.rpc.Status s = StatusProto.fromThrowable(e);
 * ErrorInfo info = s.getDetails(0).unpack(ErrorInfo.class);   // info.getReason(): "QUEUE_FULL"
 * }</pre>
 */
public final class GrpcErrors {

  /** The ErrorInfo domain of every error this server sends. */
  public static final String DOMAIN = "adahit.io";

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

  /** The ErrorInfo reason of {@code t} (wrappers unwrapped); see the class comment. */
  public static String reason(Throwable t) {
    Throwable e = ErrorKind.unwrap(t);
    return e instanceof OverloadedException
        ? "QUEUE_FULL"
        : ErrorKind.tag(e).toUpperCase(Locale.ROOT);
  }

  /**
   * An error of {@code kind} with ErrorInfo {@code reason} and {@code description}, for failures
   * decided here rather than thrown (not ready, a refused token).
   */
  public static StatusRuntimeException error(ErrorKind kind, String reason, String description) {
    return error(status(kind).getCode(), reason, kind.tag(), description);
  }

  /**
   * An error with a code no {@link ErrorKind} has (a Chat stream's idle conversation ends with
   * DEADLINE_EXCEEDED), with ErrorInfo {@code reason} and metadata {@code kind}.
   */
  public static StatusRuntimeException error(
      Status.Code code, String reason, String kind, String description) {
    ErrorInfo info =
        ErrorInfo.newBuilder()
            .setReason(reason)
            .setDomain(DOMAIN)
            .putMetadata("kind", kind)
            .build();
    return StatusProto.toStatusRuntimeException(
        com.google.rpc.Status.newBuilder()
            .setCode(code.value())
            .setMessage(description)
            .addDetails(Any.pack(info))
            .build());
  }

  /**
   * The Status a client gets for {@code t}: a StatusRuntimeException as it is, else its kind's
   * Status with {@link ErrorKind#clientMessage} and an ErrorInfo; an internal error is logged with
   * its stack trace.
   */
  public static StatusRuntimeException toStatus(Throwable t) {
    Throwable e = ErrorKind.unwrap(t);
    if (e instanceof StatusRuntimeException sre) {
      return sre;
    }
    if (e
        instanceof
        io.adahit.server.chat.ConversationConflictException) { // lost a race: resend is safe
      return Status.ABORTED.withDescription(e.getMessage()).asRuntimeException();
    }
    ErrorKind kind = ErrorKind.of(e);
    if (kind == ErrorKind.INTERNAL) {
      LOG.error("gRPC call failed", e);
    }
    return error(kind, reason(e), ErrorKind.clientMessage(e));
  }
}
