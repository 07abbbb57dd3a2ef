package io.adahit.agents.ranker;

import java.util.ArrayList;
import java.util.List;

/**
 * Scores of a candidate list and its order, best first. Ties keep the candidates' given order (a
 * stable descending sort; {@link BatchRanker#top} orders a pool the same way), so rankings are
 * deterministic: ParlAI's torch ranker sorts with {@code torch.sort}/{@code topk}, whose order
 * among equal scores is unspecified, so there is no rule to copy. A NaN score is refused (it means
 * a broken model; torch would rank it first).
 *
 * @param scores score of candidate i (dot product of context and candidate embeddings)
 * @param order candidate indices sorted by descending score
 */
public record Ranking(float[] scores, int[] order) {

  public Ranking {
    if (scores.length != order.length) {
      throw new IllegalArgumentException(
          "ranking: " + scores.length + " scores but " + order.length + " positions");
    }
  }

  /** Ranks scores: descending, ties in candidate order ({@link #descending}). */
  public static Ranking of(float[] scores) {
    for (int i = 0; i < scores.length; i++) {
      if (Float.isNaN(scores[i])) {
        throw new IllegalArgumentException("ranking: score of candidate " + i + " is NaN");
      }
    }
    return new Ranking(scores, descending(scores, 0, scores.length));
  }

  /**
   * Positions 0..n-1 of {@code scores[offset..offset+n)} by descending score (as {@link
   * Float#compare} orders floats), equal scores in ascending position: a stable descending sort,
   * done on primitive keys (a score's bits made to sort as signed ints, the position in the low
   * half) so that ranking a large pool boxes nothing.
   */
  static int[] descending(float[] scores, int offset, int n) {
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      int bits = Float.floatToIntBits(scores[offset + i]);
      bits ^= (bits >> 31) & 0x7fffffff;
      keys[i] = ((long) bits << 32) | (0xffffffffL - i);
    }
    java.util.Arrays.sort(keys);
    int[] order = new int[n];
    for (int r = 0; r < n; r++) {
      order[r] = (int) (0xffffffffL - (keys[n - 1 - r] & 0xffffffffL));
    }
    return order;
  }

  /** 1-based rank of candidate {@code index}. */
  public int rankOf(int index) {
    for (int r = 0; r < order.length; r++) {
      if (order[r] == index) {
        return r + 1;
      }
    }
    throw new IllegalArgumentException("ranking: no candidate " + index + " among " + order.length);
  }

  /** The candidates in ranked order, at most {@code k}. */
  public List<String> top(List<String> candidates, int k) {
    List<String> out = new ArrayList<>(Math.min(k, order.length));
    for (int r = 0; r < order.length && r < k; r++) {
      out.add(candidates.get(order[r]));
    }
    return out;
  }

  /** Scores in ranked order, at most {@code k}. */
  public float[] topScores(int k) {
    float[] out = new float[Math.min(k, order.length)];
    for (int r = 0; r < out.length; r++) {
      out[r] = scores[order[r]];
    }
    return out;
  }
}
