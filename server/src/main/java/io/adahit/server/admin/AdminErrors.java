package io.adahit.server.admin;

import io.adahit.agents.errors.ErrorKind;
import io.adahit.server.grpc.GrpcErrors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admin errors to gRPC Status and HTTP codes, both from {@link ErrorKind}: refused token
 * UNAUTHENTICATED / 401, bad request or refused adapter INVALID_ARGUMENT / 400, unknown skill or
 * experiment NOT_FOUND / 404, a conflict (default skill, skill in an experiment)
 * FAILED_PRECONDITION / 409, database or busy UNAVAILABLE / 503; anything else is a bug, INTERNAL /
 * 500 with a generic message, and logged.
 */
final class AdminErrors {

  private static final Logger LOG = LoggerFactory.getLogger(AdminErrors.class);

  private AdminErrors() {}

  static Throwable unwrap(Throwable t) {
    return ErrorKind.unwrap(t);
  }

  static ErrorKind kind(Throwable t) {
    return ErrorKind.of(t);
  }

  /** The message for the client: the error's own, except for internal errors (logged here). */
  static String message(Throwable t) {
    Throwable e = unwrap(t);
    if (kind(e) == ErrorKind.INTERNAL) {
      LOG.error("admin call failed", e);
    }
    if (e instanceof RejectedExecutionException) {
      return "the admin executor is busy; try again shortly";
    }
    return ErrorKind.clientMessage(e);
  }

  static io.grpc.StatusRuntimeException toStatus(Throwable t) {
    return GrpcErrors.error(kind(t), GrpcErrors.reason(t), message(t));
  }
}
