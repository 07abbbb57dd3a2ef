package io.adahit.server.inference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The best {@code k} of a row of scores, best first, ties in candidate order (as
 * {@link io.adahit.agents.ranker.Ranking} orders them), skipping blocked texts.
 */
final class TopCandidates {

  private TopCandidates() {}

  record Top(List<String> texts, float[] scores) {}

  /**
   * @param scores {@code row}'s scores start at {@code offset} and run for {@code texts.size()}
   */
  static Top select(float[] scores, int offset, List<String> texts, int k, Set<String> blocked) {
    int n = texts.size();
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      // a float's bits, made to sort as signed ints; the low half orders ties by ascending index
      int bits = Float.floatToIntBits(scores[offset + i]);
      bits ^= (bits >> 31) & 0x7fffffff;
      keys[i] = ((long) bits << 32) | (0xffffffffL - i);
    }
    Arrays.sort(keys);
    List<String> top = new ArrayList<>(Math.min(k, n));
    float[] topScores = new float[Math.min(k, n)];
    for (int r = n - 1; r >= 0 && top.size() < k; r--) {
      int i = (int) (0xffffffffL - (keys[r] & 0xffffffffL));
      String t = texts.get(i);
      if (!blocked.contains(t)) {
        topScores[top.size()] = scores[offset + i];
        top.add(t);
      }
    }
    return new Top(top, top.size() == topScores.length ? topScores : Arrays.copyOf(topScores, top.size()));
  }
}
