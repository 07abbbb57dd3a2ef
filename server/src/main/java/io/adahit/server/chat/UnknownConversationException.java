package io.adahit.server.chat;

import io.adahit.agents.errors.ClassifiedException;
import io.adahit.agents.errors.ErrorKind;

/** A conversation id that is not (or no longer) open. gRPC: NOT_FOUND. */
public final class UnknownConversationException extends ClassifiedException {
  private static final long serialVersionUID = 1L;

  public UnknownConversationException(String id) {
    super(
        ErrorKind.NOT_FOUND,
        "unknown_conversation",
        "unknown conversation '" + id + "' (never opened, finished, or closed after being idle)");
  }
}
