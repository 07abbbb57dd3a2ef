package io.adahit.server.chat;

import io.adahit.agents.errors.ClassifiedError;
import io.adahit.agents.errors.ErrorKind;

/**
 * A client's message cannot be used (no text, too long, malformed...). The message says what was
 * wrong and what is allowed; gRPC maps it to INVALID_ARGUMENT, WebSocket answers with it.
 */
public final class BadRequestException extends RuntimeException implements ClassifiedError {
  private static final long serialVersionUID = 1L;

  private final String kind;

  /**
   * @param kind a short metric tag (bad_json, missing_text, too_long...)
   * @param message what was wrong, for the client
   */
  public BadRequestException(String kind, String message) {
    super(message);
    this.kind = kind;
  }

  public String kind() {
    return kind;
  }

  @Override
  public ErrorKind errorKind() {
    return ErrorKind.INVALID;
  }

  @Override
  public String errorTag() {
    return kind;
  }
}
