package io.adahit.app.cli;

import io.adahit.server.experiments.AbReport;
import java.io.PrintWriter;
import java.util.Locale;

/** The tables {@code ab-report} prints: per variant, then each variant against the control. */
final class AbReportTable {

  private AbReportTable() {}

  static void print(PrintWriter out, AbReport r) {
    out.println(
        "experiment '"
            + r.experiment()
            + "' on skill '"
            + r.skill()
            + "' (online, from the event store)");
    out.printf(
        Locale.ROOT,
        "%-12s %-22s %7s %7s %8s %7s %7s %6s %6s %7s %17s%n",
        "variant",
        "adapter",
        "convs",
        "episodes",
        "ep.len",
        "ratings",
        "rating",
        "up",
        "down",
        "up rate",
        "95% Wilson");
    for (AbReport.VariantReport v : r.variants()) {
      out.printf(
          Locale.ROOT,
          "%-12s %-22s %7d %7d %8s %7d %7s %6d %6d %7s %17s%n",
          v.variant(),
          v.adapter() == null ? "-" : v.adapter(),
          v.conversations(),
          v.episodes(),
          num(v.meanEpisodeLength(), "%.2f"),
          v.ratings(),
          num(v.meanRating(), "%.3f"),
          v.thumbsUp(),
          v.thumbsDown(),
          num(v.thumbsUpRate(), "%.3f"),
          v.thumbsUpLow() == null
              ? "-"
              : String.format(Locale.ROOT, "[%.3f, %.3f]", v.thumbsUpLow(), v.thumbsUpHigh()));
    }
    out.println();
    out.printf(
        Locale.ROOT,
        "%-20s %9s %8s %9s %9s %8s %7s %9s %12s %12s%n",
        "variant vs control",
        "up diff",
        "z",
        "p (z)",
        "rat. diff",
        "t",
        "df",
        "p (Welch)",
        "more (up)",
        "more (rat.)");
    for (AbReport.Comparison c : r.comparisons()) {
      out.printf(
          Locale.ROOT,
          "%-20s %9s %8s %9s %9s %8s %7s %9s %12s %12s%n",
          c.variant() + " vs " + c.control(),
          num(c.thumbsDiff(), "%+.3f"),
          num(c.thumbsZ(), "%.3f"),
          num(c.thumbsP(), "%.3g"),
          num(c.ratingDiff(), "%+.3f"),
          num(c.ratingT(), "%.3f"),
          num(c.ratingDf(), "%.1f"),
          num(c.ratingP(), "%.3g"),
          c.moreConversationsThumbs() == null ? "-" : c.moreConversationsThumbs().toString(),
          c.moreConversationsRating() == null ? "-" : c.moreConversationsRating().toString());
    }
    for (String n : r.notes()) {
      out.println("note: " + n);
    }
    out.flush();
  }

  private static String num(Double d, String format) {
    return d == null ? "-" : String.format(Locale.ROOT, format, d);
  }
}
