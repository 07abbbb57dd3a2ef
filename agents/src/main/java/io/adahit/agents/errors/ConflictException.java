package io.adahit.agents.errors;

/**
 * A request refused in the current state (unloading the default skill, starting an experiment on a
 * skill that already runs one): {@link ErrorKind#CONFLICT}. An {@link IllegalStateException} for
 * callers that catch those; a plain IllegalStateException is a bug ({@link ErrorKind#INTERNAL}).
 */
public class ConflictException extends IllegalStateException implements ClassifiedError {
  private static final long serialVersionUID = 1L;

  public ConflictException(String message) {
    super(message);
  }

  @Override
  public ErrorKind errorKind() {
    return ErrorKind.CONFLICT;
  }
}
