package io.adahit.server.inference;

import io.adahit.agents.errors.ClassifiedError;
import io.adahit.agents.errors.ErrorKind;

/** The server is shutting down and takes no new work. gRPC maps it to UNAVAILABLE. */
public final class ShuttingDownException extends RuntimeException implements ClassifiedError {
  private static final long serialVersionUID = 1L;

  public ShuttingDownException() {
    super("server is shutting down");
  }

  @Override
  public ErrorKind errorKind() {
    return ErrorKind.UNAVAILABLE;
  }

  @Override
  public String errorTag() {
    return "shutting_down";
  }
}
