package io.adahit.server.chat;

import io.adahit.agents.errors.ClassifiedException;
import io.adahit.agents.errors.ErrorKind;

/** The server holds its configured maximum of open conversations. gRPC: RESOURCE_EXHAUSTED. */
public final class TooManyConversationsException extends ClassifiedException {
  private static final long serialVersionUID = 1L;

  public TooManyConversationsException(int max) {
    this(
        "too many open conversations: the server holds at most "
            + max
            + " (conversations.maxOpen); try again later");
  }

  /**
   * @param message which limit is reached, named as in the config
   */
  public TooManyConversationsException(String message) {
    super(ErrorKind.OVERLOADED, "too_many_conversations", message);
  }
}
