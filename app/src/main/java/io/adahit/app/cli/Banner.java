package io.adahit.app.cli;

import io.adahit.eval.harness.Contamination;
import java.io.PrintWriter;
import java.util.List;

/** Warnings that must not scroll by unnoticed. */
final class Banner {

  private static final String RULE = "!".repeat(78);

  private Banner() {}

  /** A framed warning per contaminated task; nothing when the list is empty. */
  static void contamination(PrintWriter err, List<Contamination> found) {
    if (found.isEmpty()) {
      return;
    }
    err.println(RULE);
    for (Contamination c : found) {
      err.println("!! WARNING " + c.message());
    }
    err.println("!! The report says \"contaminated\": true.");
    err.println(RULE);
    err.flush();
  }
}
