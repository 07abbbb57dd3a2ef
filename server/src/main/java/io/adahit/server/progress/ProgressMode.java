package io.adahit.server.progress;

import java.util.Map;

/**
 * How a command shows progress: an animated bar redrawn in place on an interactive terminal, or
 * plain timestamped lines ({@link PlainProgress}) everywhere else: CI, {@code nohup}, containers,
 * {@code kubectl logs}, pipes. A bar there is garbled (carriage returns join its frames, ANSI
 * colour codes, lines cut at an assumed 80 columns), so plain lines are the default whenever there
 * is no console or {@code TERM} is {@code dumb} (or unset).
 *
 * <pre>{@code
 * ProgressMode mode = ProgressMode.detect();          // BAR in a terminal, PLAIN under nohup
 * if (mode == ProgressMode.PLAIN) { try (PlainProgress p = PlainProgress.start("train", 5000, "steps", System.err)) { ... } }
 * }</pre>
 */
public enum ProgressMode {
  /** An animated bar, redrawn in place (needs an interactive terminal). */
  BAR,
  /** One plain, timestamped line at a steady interval and at the end; never redrawn, never cut. */
  PLAIN;

  /**
   * The mode for this process: {@link #detect(boolean, Map)} on {@link System#console()} and the
   * environment.
   */
  public static ProgressMode detect() {
    return detect(System.console() != null, System.getenv());
  }

  /**
   * BAR only with a console and a terminal type other than {@code dumb}; {@code ADAHIT_PROGRESS}
   * ({@code bar} or {@code plain}) overrides the choice.
   *
   * @throws IllegalArgumentException for another {@code ADAHIT_PROGRESS} value
   */
  public static ProgressMode detect(boolean hasConsole, Map<String, String> env) {
    String forced = env.get("ADAHIT_PROGRESS");
    if (forced != null && !forced.isBlank()) {
      return switch (forced.strip().toLowerCase(java.util.Locale.ROOT)) {
        case "bar" -> BAR;
        case "plain" -> PLAIN;
        default ->
            throw new IllegalArgumentException(
                "ADAHIT_PROGRESS must be bar or plain, found '" + forced + "'");
      };
    }
    String term = env.get("TERM");
    return hasConsole && term != null && !term.isBlank() && !term.equals("dumb") ? BAR : PLAIN;
  }
}
