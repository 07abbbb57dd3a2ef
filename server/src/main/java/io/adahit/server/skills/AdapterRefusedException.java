package io.adahit.server.skills;

/**
 * An admin request about adapters that was refused: a bad directory (outside the skills folder,
 * missing), or adapter files that do not load (corrupt, wrong shapes, another backbone or base).
 * The message names what was asked, why it was refused, and that what was serving keeps serving.
 */
public final class AdapterRefusedException extends IllegalArgumentException {

  public AdapterRefusedException(String message) {
    super(message);
  }

  public AdapterRefusedException(String message, Throwable cause) {
    super(message, cause);
  }
}
