package io.adahit.server.chat;

/** The server holds its configured maximum of open conversations. gRPC: RESOURCE_EXHAUSTED. */
public final class TooManyConversationsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TooManyConversationsException(int max) {
    super("too many open conversations: the server holds at most " + max + "; try again later");
  }
}
