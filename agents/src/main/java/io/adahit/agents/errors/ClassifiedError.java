package io.adahit.agents.errors;

/**
 * An exception that says what kind of failure it is ({@link ErrorKind#of} takes it from here), and
 * optionally a finer tag (the WebSocket's {@code error} field, metrics).
 */
public interface ClassifiedError {

  ErrorKind errorKind();

  /** A short lower-case tag, e.g. {@code unknown_skill}; the kind's by default. */
  default String errorTag() {
    return errorKind().tag();
  }
}
