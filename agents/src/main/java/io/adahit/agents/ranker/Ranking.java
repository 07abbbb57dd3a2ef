package io.adahit.agents.ranker;

import java.util.ArrayList;
import java.util.List;

/**
 * Scores of a candidate list and its order, best first. Ties keep the candidates' given order
 * (a stable descending sort), so rankings are deterministic: ParlAI's torch ranker sorts with
 * {@code torch.sort}/{@code topk}, whose order among equal scores is unspecified, so there is no
 * rule to copy. A NaN score is refused (it means a broken model; torch would rank it first).
 *
 * @param scores score of candidate i (dot product of context and candidate embeddings)
 * @param order candidate indices sorted by descending score
 */
public record Ranking(float[] scores, int[] order) {

  public Ranking {
    if (scores.length != order.length) {
      throw new IllegalArgumentException("ranking: " + scores.length + " scores but "
          + order.length + " positions");
    }
  }

  /** Ranks scores: stable descending order. */
  public static Ranking of(float[] scores) {
    Integer[] idx = new Integer[scores.length];
    for (int i = 0; i < idx.length; i++) {
      if (Float.isNaN(scores[i])) {
        throw new IllegalArgumentException("ranking: score of candidate " + i + " is NaN");
      }
      idx[i] = i;
    }
    java.util.Arrays.sort(idx, (a, b) -> Float.compare(scores[b], scores[a])); // stable (TimSort)
    int[] order = new int[idx.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = idx[i];
    }
    return new Ranking(scores, order);
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
