package io.adahit.server.inference;

/** The server is shutting down and takes no new work. gRPC maps it to UNAVAILABLE. */
public final class ShuttingDownException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ShuttingDownException() {
    super("server is shutting down");
  }
}
