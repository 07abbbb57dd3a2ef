package io.adahit.server.inference;

import io.adahit.agents.errors.ClassifiedException;
import io.adahit.agents.errors.ErrorKind;

/** The server is shutting down and takes no new work. gRPC maps it to UNAVAILABLE. */
public final class ShuttingDownException extends ClassifiedException {
  private static final long serialVersionUID = 1L;

  public ShuttingDownException() {
    super(ErrorKind.UNAVAILABLE, "shutting_down", "server is shutting down");
  }
}
