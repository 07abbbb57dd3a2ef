package io.adahit.eval.fusion;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a fusion skill's mean attention per fused skill (from {@code FusionAttention}) as an SVG
 * chart, one stacked horizontal bar per fusion point (layer and position) and one per layer mean,
 * each bar split into the skills' shares (they sum to 1), with a legend; and as a Markdown table.
 * The view of Pfeiffer et al. 2021, Fig. 5, for our backbone.
 *
 * <pre>{@code
 * String svg = AttentionPlot.svg("bst_fusion4 on blended_skill_talk valid", a.skills(), rows);
 * }</pre>
 */
public final class AttentionPlot {

  /** Distinguishable colours (Okabe-Ito), one per fused skill in order. */
  private static final List<String> COLOURS =
      List.of(
          "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000");

  private static final int LEFT = 150;
  private static final int BAR_WIDTH = 520;
  private static final int BAR_HEIGHT = 22;
  private static final int GAP = 8;
  private static final int TOP = 56;

  private AttentionPlot() {}

  /**
   * @param rows label (e.g. "layer 4 attention") → each skill's share, in {@code skills}' order
   */
  public static String svg(String title, List<String> skills, Map<String, double[]> rows) {
    if (skills.size() > COLOURS.size()) {
      throw new IllegalArgumentException(
          "attention plot: at most " + COLOURS.size() + " skills, found " + skills.size());
    }
    int height = TOP + rows.size() * (BAR_HEIGHT + GAP) + 40 + 20 * skills.size();
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
            LEFT + BAR_WIDTH + 70,
            height));
    b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    b.append(
        String.format(
            Locale.ROOT,
            "<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>%n",
            escape(title)));
    b.append(
        String.format(
            Locale.ROOT,
            "<text x=\"10\" y=\"40\" fill=\"#555\">mean fusion attention per fused skill"
                + " (share of each bar; bars sum to 1)</text>%n"));
    int y = TOP;
    for (Map.Entry<String, double[]> row : rows.entrySet()) {
      b.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
              LEFT - 8,
              y + BAR_HEIGHT - 6,
              escape(row.getKey())));
      double x = LEFT;
      double[] v = row.getValue();
      for (int s = 0; s < v.length; s++) {
        double w = BAR_WIDTH * v[s];
        b.append(
            String.format(
                Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s: %.4f</title></rect>%n",
                x,
                y,
                w,
                BAR_HEIGHT,
                COLOURS.get(s),
                escape(skills.get(s)),
                v[s]));
        if (w >= 34) {
          b.append(
              String.format(
                  Locale.ROOT,
                  "<text x=\"%.1f\" y=\"%d\" fill=\"white\" text-anchor=\"middle\">%.2f</text>%n",
                  x + w / 2,
                  y + BAR_HEIGHT - 6,
                  v[s]));
        }
        x += w;
      }
      y += BAR_HEIGHT + GAP;
    }
    y += 16;
    for (int s = 0; s < skills.size(); s++) {
      b.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\"/>%n",
              LEFT,
              y - 11,
              COLOURS.get(s)));
      b.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\">%s</text>%n",
              LEFT + 20,
              y,
              escape(skills.get(s))));
      y += 20;
    }
    return b.append("</svg>\n").toString();
  }

  /** The same rows as a Markdown table, shares with 3 decimals. */
  public static String markdown(List<String> skills, Map<String, double[]> rows) {
    StringBuilder b = new StringBuilder("| fusion point |");
    skills.forEach(s -> b.append(' ').append(s).append(" |"));
    b.append("\n|---|");
    skills.forEach(s -> b.append("---|"));
    b.append('\n');
    rows.forEach(
        (label, v) -> {
          b.append("| ").append(label).append(" |");
          for (double x : v) {
            b.append(String.format(Locale.ROOT, " %.3f |", x));
          }
          b.append('\n');
        });
    return b.toString();
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
