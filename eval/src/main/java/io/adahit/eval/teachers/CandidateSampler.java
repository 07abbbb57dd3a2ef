package io.adahit.eval.teachers;

import io.adahit.eval.metrics.AnswerNormalizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Makes K label candidates for an example that has none: its gold label plus K-1 labels of other
 * episodes of the same split, sampled with a fixed seed.
 *
 * <p>Rules: a negative never comes from the example's own episode; negatives are distinct from each
 * other and from every label of the example after ParlAI's answer normalisation (so the gold is
 * never in the list twice, not even as "The cat." vs "the cat"); the gold is inserted at a
 * uniformly random position. Each example gets its own {@link Random} seeded from (seed, example
 * index), so its candidates do not depend on which other examples were asked for, and {@code
 * java.util.Random} is specified to give the same numbers on every JVM.
 */
final class CandidateSampler {

  private static final int MAX_RANDOM_DRAWS_PER_CANDIDATE = 32;

  private final String[] texts;
  private final String[] normalized;
  private final int[] episodes;
  private final long seed;
  private final int k;

  /**
   * @param texts the pool: one label per example of the split
   * @param episodes the episode of each pool entry
   */
  CandidateSampler(List<String> texts, List<Integer> episodes, long seed, int k) {
    if (texts.size() != episodes.size()) {
      throw new IllegalArgumentException(
          "pool texts and episodes must have equal sizes, found "
              + texts.size()
              + " and "
              + episodes.size());
    }
    if (k < 1) {
      throw new IllegalArgumentException("K must be >= 1, found " + k);
    }
    this.texts = texts.toArray(new String[0]);
    this.normalized = new String[this.texts.length];
    for (int i = 0; i < this.texts.length; i++) {
      normalized[i] = AnswerNormalizer.normalize(this.texts[i]);
    }
    this.episodes = episodes.stream().mapToInt(Integer::intValue).toArray();
    this.seed = seed;
    this.k = k;
  }

  int k() {
    return k;
  }

  /** Candidates for the example at global index {@code exampleIndex} of episode {@code episode}. */
  List<String> sample(String exampleName, long exampleIndex, int episode, List<String> labels) {
    Random rnd = new Random(mix64(seed + 0x9E3779B97F4A7C15L * (exampleIndex + 1)));
    Set<String> taken = new HashSet<>();
    for (String label : labels) {
      taken.add(AnswerNormalizer.normalize(label));
    }
    List<String> out = new ArrayList<>(k);
    int n = texts.length;
    int draws = 0;
    int maxDraws = MAX_RANDOM_DRAWS_PER_CANDIDATE * k;
    while (out.size() < k - 1 && draws < maxDraws && n > 0) {
      draws++;
      tryAdd(rnd.nextInt(n), episode, taken, out);
    }
    if (out.size() < k - 1 && n > 0) {
      // A small or repetitive pool: scan it once from a random offset instead of drawing forever.
      int start = rnd.nextInt(n);
      for (int j = 0; j < n && out.size() < k - 1; j++) {
        tryAdd((start + j) % n, episode, taken, out);
      }
    }
    if (out.size() < k - 1) {
      throw new IllegalArgumentException(
          exampleName
              + ": K = "
              + k
              + " needs "
              + (k - 1)
              + " negatives from other episodes,"
              + " distinct after normalisation; the split's "
              + n
              + " labels give only "
              + out.size());
    }
    out.add(rnd.nextInt(k), labels.get(0));
    return out;
  }

  private void tryAdd(int i, int episode, Set<String> taken, List<String> out) {
    if (episodes[i] != episode && taken.add(normalized[i])) {
      out.add(texts[i]);
    }
  }

  /** Stafford's variant 13 of the MurmurHash3 finaliser: spreads nearby seeds apart. */
  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
