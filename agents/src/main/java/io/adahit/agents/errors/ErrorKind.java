package io.adahit.agents.errors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.sql.SQLException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;

/**
 * What kind of failure an exception is, decided in one place for every edge (gRPC Status, HTTP
 * code, the WebSocket's {@code error} tag, the command line's one-line message): each edge maps the
 * kind, never the exception class.
 *
 * <p>{@link #of} decides: an exception that says its kind ({@link ClassifiedError}) has it; then
 * {@link CancellationException} is {@link #CANCELLED}; {@link IllegalArgumentException} is {@link
 * #INVALID} (by this code base's convention it means "the input given is wrong": checks of an
 * internal invariant throw {@link IllegalStateException} instead); a missing file is {@link
 * #NOT_FOUND}; other I/O and database failures, and a full executor, are {@link #UNAVAILABLE}.
 * Everything else, {@link IllegalStateException}, {@link NullPointerException}, an engine error, is
 * a bug: {@link #INTERNAL}, never shown to a client as its own mistake.
 *
 * <pre>{@code
 * ErrorKind k = ErrorKind.of(e);           // e.g. INVALID
 * int http = k.httpStatus();               // 400
 * String text = ErrorKind.clientMessage(e);  // e's message, or a generic one for INTERNAL
 * }</pre>
 */
public enum ErrorKind {
  /** The request is wrong (bad value, malformed input); the client can fix it. */
  INVALID("invalid", 400),
  /** No or a wrong credential. */
  UNAUTHENTICATED("unauthenticated", 401),
  /** What the request names does not exist (skill, conversation, experiment, file). */
  NOT_FOUND("not_found", 404),
  /**
   * Refused in the current state (unloading the default skill, a skill already in an experiment).
   */
  CONFLICT("conflict", 409),
  /** Too much at once (queue or conversation table full); retry later. */
  OVERLOADED("overloaded", 429),
  /**
   * Not available now (shutting down, starting, a store down, an I/O failure); retry later or
   * elsewhere.
   */
  UNAVAILABLE("unavailable", 503),
  /** The caller went away (cancelled, deadline passed): nobody is waiting for an answer. */
  CANCELLED("cancelled", 499),
  /** A bug: the client gets a generic message and the server logs the details. */
  INTERNAL("internal", 500);

  /** What a client is told about an {@link #INTERNAL} error: nothing of the internals. */
  public static final String INTERNAL_MESSAGE = "internal error; the server logged it";

  private final String tag;
  private final int httpStatus;

  ErrorKind(String tag, int httpStatus) {
    this.tag = tag;
    this.httpStatus = httpStatus;
  }

  /** A short lower-case name (metric tags, the WebSocket's {@code error} field by default). */
  public String tag() {
    return tag;
  }

  /** The HTTP status code of this kind (499, client closed request, for {@link #CANCELLED}). */
  public int httpStatus() {
    return httpStatus;
  }

  /** The exception behind {@link CompletionException} and {@link ExecutionException} wrappers. */
  public static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  /** The kind of {@code t} (wrappers unwrapped); see the class comment for the rules. */
  public static ErrorKind of(Throwable t) {
    Throwable e = unwrap(t);
    if (e instanceof ClassifiedError c) {
      return c.errorKind();
    }
    if (e instanceof CancellationException) {
      return CANCELLED;
    }
    if (e instanceof IllegalArgumentException) {
      return INVALID;
    }
    if (e instanceof NoSuchFileException) {
      return NOT_FOUND;
    }
    if (e instanceof IOException
        || e instanceof UncheckedIOException
        || e instanceof SQLException
        || e instanceof RejectedExecutionException) {
      return UNAVAILABLE;
    }
    return INTERNAL;
  }

  /**
   * The detailed tag of {@code t}: its own ({@link ClassifiedError#errorTag}, e.g. {@code
   * too_long}) or its kind's.
   */
  public static String tag(Throwable t) {
    Throwable e = unwrap(t);
    return e instanceof ClassifiedError c ? c.errorTag() : of(e).tag();
  }

  /** What a client may be told: the exception's message, or {@link #INTERNAL_MESSAGE} for a bug. */
  public static String clientMessage(Throwable t) {
    Throwable e = unwrap(t);
    if (of(e) == INTERNAL) {
      return INTERNAL_MESSAGE;
    }
    return e.getMessage() != null ? e.getMessage() : of(e).tag();
  }
}
