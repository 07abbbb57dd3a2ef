package io.adahit.server.chat;

import io.adahit.agents.errors.ClassifiedError;
import io.adahit.agents.errors.ErrorKind;

/** A conversation id that is not (or no longer) open. gRPC: NOT_FOUND. */
public final class UnknownConversationException extends RuntimeException
    implements ClassifiedError {
  private static final long serialVersionUID = 1L;

  public UnknownConversationException(String id) {
    super("unknown conversation '" + id + "' (never opened, finished, or closed after being idle)");
  }

  @Override
  public ErrorKind errorKind() {
    return ErrorKind.NOT_FOUND;
  }

  @Override
  public String errorTag() {
    return "unknown_conversation";
  }
}
