package io.adahit.server.admin;

import io.adahit.agents.adapters.UnknownSkillException;
import io.adahit.server.events.EventStore;
import io.adahit.server.experiments.UnknownExperimentException;
import io.grpc.Status;
import java.sql.SQLException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admin errors to gRPC Status and HTTP codes, in one place: refused token UNAUTHENTICATED / 401,
 * bad request or refused adapter INVALID_ARGUMENT / 400, unknown skill or experiment NOT_FOUND /
 * 404, a conflict (default skill, skill in an experiment) FAILED_PRECONDITION / 409, database or
 * busy UNAVAILABLE / 503; anything else is a bug, INTERNAL / 500, and logged.
 */
final class AdminErrors {

  private static final Logger LOG = LoggerFactory.getLogger(AdminErrors.class);

  /** One class of admin error. */
  enum Kind {
    UNAUTHENTICATED(Status.UNAUTHENTICATED, 401),
    BAD_REQUEST(Status.INVALID_ARGUMENT, 400),
    NOT_FOUND(Status.NOT_FOUND, 404),
    CONFLICT(Status.FAILED_PRECONDITION, 409),
    UNAVAILABLE(Status.UNAVAILABLE, 503),
    INTERNAL(Status.INTERNAL, 500);

    final Status status;
    final int http;

    Kind(Status status, int http) {
      this.status = status;
      this.http = http;
    }
  }

  private AdminErrors() {}

  static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  static Kind kind(Throwable t) {
    Throwable e = unwrap(t);
    if (e instanceof AdminAuth.AdminAuthException) {
      return Kind.UNAUTHENTICATED;
    }
    if (e instanceof UnknownSkillException || e instanceof UnknownExperimentException) {
      return Kind.NOT_FOUND;
    }
    if (e instanceof IllegalArgumentException) {
      return Kind.BAD_REQUEST;
    }
    if (e instanceof IllegalStateException) {
      return Kind.CONFLICT;
    }
    if (e instanceof EventStore.EventStoreException || e instanceof SQLException
        || e instanceof RejectedExecutionException) {
      return Kind.UNAVAILABLE;
    }
    return Kind.INTERNAL;
  }

  /** The message for the client: the error's own, except for internal errors (logged here). */
  static String message(Throwable t) {
    Throwable e = unwrap(t);
    if (kind(e) == Kind.INTERNAL) {
      LOG.error("admin call failed", e);
      return "internal error; the server logged it";
    }
    if (e instanceof RejectedExecutionException) {
      return "the admin executor is busy; try again shortly";
    }
    return e.getMessage();
  }

  static io.grpc.StatusRuntimeException toStatus(Throwable t) {
    return kind(t).status.withDescription(message(t)).asRuntimeException();
  }
}
