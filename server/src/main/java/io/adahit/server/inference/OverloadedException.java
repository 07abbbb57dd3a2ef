package io.adahit.server.inference;

import io.adahit.agents.errors.ClassifiedError;
import io.adahit.agents.errors.ErrorKind;

/**
 * The scheduler's queue is full: the turn is refused at once instead of waiting behind an unbounded
 * backlog. gRPC maps it to RESOURCE_EXHAUSTED; WebSocket answers "overloaded".
 */
public final class OverloadedException extends RuntimeException implements ClassifiedError {
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
    super(message);
  }

  @Override
  public ErrorKind errorKind() {
    return ErrorKind.OVERLOADED;
  }

  @Override
  public String errorTag() {
    return "overloaded";
  }
}
