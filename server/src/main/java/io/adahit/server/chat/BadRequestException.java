package io.adahit.server.chat;

import io.adahit.agents.errors.ClassifiedException;
import io.adahit.agents.errors.ErrorKind;

/**
 * A client's message cannot be used (no text, too long, malformed...). The message says what was
 * wrong and what is allowed; gRPC maps it to INVALID_ARGUMENT, WebSocket answers with it.
 */
public final class BadRequestException extends ClassifiedException {
  private static final long serialVersionUID = 1L;

  /**
   * @param kind a short metric tag (bad_json, missing_text, too_long...), its {@link #errorTag()}
   * @param message what was wrong, for the client
   */
  public BadRequestException(String kind, String message) {
    super(ErrorKind.INVALID, kind, message);
  }

  public String kind() {
    return errorTag();
  }
}
