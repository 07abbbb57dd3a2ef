package io.adahit.server.inference;

import io.adahit.agents.errors.ClassifiedException;
import io.adahit.agents.errors.ErrorKind;

/**
 * The scheduler's queue is full: the turn is refused at once instead of waiting behind an unbounded
 * backlog. gRPC maps it to RESOURCE_EXHAUSTED; WebSocket answers "overloaded".
 */
public final class OverloadedException extends ClassifiedException {
  private static final long serialVersionUID = 1L;

  public OverloadedException(int capacity) {
    this(
        "server overloaded: "
            + capacity
            + " turns already waiting (batching.queueCapacity); try again shortly");
  }

  /**
   * @param message what is full, naming its limit
   */
  public OverloadedException(String message) {
    super(ErrorKind.OVERLOADED, "overloaded", message);
  }
}
