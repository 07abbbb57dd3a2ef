package io.adahit.agents.errors;

/**
 * An unchecked exception of a fixed {@link ErrorKind} and tag, for the errors that are a {@link
 * RuntimeException} and nothing more specific: subclasses give their kind, tag and message.
 */
public abstract class ClassifiedException extends RuntimeException implements ClassifiedError {
  private static final long serialVersionUID = 1L;

  private final ErrorKind kind;
  private final String tag;

  /**
   * @param kind what kind of failure it is
   * @param tag the short lower-case tag, e.g. {@code overloaded}
   * @param message for the client or the log
   */
  protected ClassifiedException(ErrorKind kind, String tag, String message) {
    super(message);
    this.kind = kind;
    this.tag = tag;
  }

  /** As {@link #ClassifiedException(ErrorKind, String, String)}, caused by {@code cause}. */
  protected ClassifiedException(ErrorKind kind, String tag, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.tag = tag;
  }

  @Override
  public final ErrorKind errorKind() {
    return kind;
  }

  @Override
  public final String errorTag() {
    return tag;
  }
}
