package io.adahit.eval.metrics;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * ParlAI's {@code F1Metric} ({@code parlai/core/metrics.py}): both texts normalised ({@link
 * AnswerNormalizer}: lower case, punctuation and articles dropped, whitespace collapsed) and split
 * on spaces; {@code common} = the size of the multiset intersection of the tokens; precision =
 * common / |prediction|, recall = common / |gold|, F1 = their harmonic mean = {@code 2 common /
 * (|prediction| + |gold|)} (0 when nothing is common); the best over the labels. Kept as an exact
 * fraction so that reports merge exactly.
 *
 * <pre>{@code
 * UnigramF1.of("the cat sat", List.of("a cat sat down"));   // 2*2 / (2 + 3) = 0.8
 * }</pre>
 */
public final class UnigramF1 {

  private UnigramF1() {}

  /** The F1 as a double. */
  public static double of(String prediction, Collection<String> labels) {
    long[] f = fraction(prediction, labels);
    return (double) f[0] / f[1];
  }

  /** The best F1 over {@code labels} as {numerator, denominator}, reduced (0 is {0, 1}). */
  static long[] fraction(String prediction, Collection<String> labels) {
    String[] p = tokens(prediction);
    long bestNum = 0;
    long bestDen = 1;
    for (String label : labels) {
      String[] g = tokens(label);
      Map<String, Integer> counts = new HashMap<>();
      for (String t : g) {
        counts.merge(t, 1, Integer::sum);
      }
      long common = 0;
      for (String t : p) {
        Integer c = counts.get(t);
        if (c != null && c > 0) {
          common++;
          counts.put(t, c - 1);
        }
      }
      if (common == 0) {
        continue;
      }
      long num = 2 * common;
      long den = p.length + g.length;
      if (num * bestDen > bestNum * den) {
        bestNum = num;
        bestDen = den;
      }
    }
    long g = Report.gcd(bestNum, bestDen);
    return new long[] {bestNum / g, bestDen / g};
  }

  private static String[] tokens(String text) {
    String n = AnswerNormalizer.normalize(text == null ? "" : text);
    return n.isEmpty() ? new String[0] : n.split(" ");
  }
}
