package io.adahit.server.chat;

/** A conversation id that is not (or no longer) open. gRPC: NOT_FOUND. */
public final class UnknownConversationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UnknownConversationException(String id) {
    super("unknown conversation '" + id + "' (never opened, finished, or closed after being idle)");
  }
}
