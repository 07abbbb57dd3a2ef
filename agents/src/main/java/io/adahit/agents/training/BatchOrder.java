package io.adahit.agents.training;

import java.util.Arrays;
import java.util.Random;

/**
 * Which of a task's training pairs form its k-th batch: a pure function of (seed, task, k), so a
 * resumed run sees the batches an uninterrupted one would.
 *
 * <p>Each epoch is a seeded permutation of the pairs, cut into {@code n / B} batches of B (the
 * remainder waits for another epoch). With {@code buckets = 0} a batch is the next B pairs of the
 * permutation. With {@code buckets > 0} the permutation is taken {@code buckets × B} pairs at a
 * time; each such pool is sorted by context length (longest first; ties keep permutation order) and
 * cut into batches, and the epoch's batches are then visited in a second seeded order. A batch then
 * pads its contexts to a length close to each of theirs instead of to the longest of B random
 * contexts, while every pair is still seen once per epoch.
 */
final class BatchOrder {

  private final int batchSize;
  private final long seed;
  private final int taskIndex;
  private final int buckets;
  private final int[] contextTokens;
  private long epoch = -1;
  private int[][] batches;

  /**
   * @param contextTokens each pair's context length in word pieces (after truncation)
   */
  BatchOrder(int batchSize, long seed, int taskIndex, int buckets, int[] contextTokens) {
    if (contextTokens.length < batchSize) {
      throw new IllegalArgumentException(
          "batch order: "
              + contextTokens.length
              + " pairs, fewer than the batch size "
              + batchSize);
    }
    this.batchSize = batchSize;
    this.seed = seed;
    this.taskIndex = taskIndex;
    this.buckets = buckets;
    this.contextTokens = contextTokens;
  }

  /** The rows of the task's {@code k}-th batch (k counts this task's steps from 0). */
  int[] rows(long k) {
    int n = contextTokens.length;
    long perEpoch = n / batchSize;
    long e = k / perEpoch;
    int within = (int) (k % perEpoch);
    if (buckets == 0) {
      int[] perm = permutation(n, new Random(epochSeed(e)));
      return Arrays.copyOfRange(perm, within * batchSize, (within + 1) * batchSize);
    }
    if (e != epoch) {
      batches = bucketed(e, (int) perEpoch);
      epoch = e;
    }
    return batches[within].clone();
  }

  /**
   * Context word pieces of epoch 0 as its batches pad them: {real, padded in this order, padded in
   * random batches} (the cost that length buckets save is the difference of the last two).
   */
  long[] epochPadding() {
    long perEpoch = contextTokens.length / batchSize;
    BatchOrder random =
        buckets == 0 ? this : new BatchOrder(batchSize, seed, taskIndex, 0, contextTokens);
    long real = 0;
    long padded = 0;
    long randomPadded = 0;
    for (long k = 0; k < perEpoch; k++) {
      int[] rows = rows(k);
      int max = 0;
      for (int r : rows) {
        real += contextTokens[r];
        max = Math.max(max, contextTokens[r]);
      }
      padded += (long) max * rows.length;
      int randomMax = 0;
      for (int r : random.rows(k)) {
        randomMax = Math.max(randomMax, contextTokens[r]);
      }
      randomPadded += (long) randomMax * batchSize;
    }
    return new long[] {real, padded, randomPadded};
  }

  private long epochSeed(long e) {
    return seed * 1_000_003L + taskIndex * 7919L + e;
  }

  private int[][] bucketed(long e, int perEpoch) {
    int[] perm = permutation(contextTokens.length, new Random(epochSeed(e)));
    int used = perEpoch * batchSize;
    int pool = buckets * batchSize;
    int[][] out = new int[perEpoch][];
    int next = 0;
    for (int start = 0; start < used; start += pool) {
      int end = Math.min(start + pool, used);
      long[] keys = new long[end - start];
      for (int i = start; i < end; i++) { // longest first, then permutation order
        keys[i - start] = ((long) (Integer.MAX_VALUE - contextTokens[perm[i]]) << 32) | i;
      }
      Arrays.sort(keys);
      for (int b = 0; b < keys.length; b += batchSize) {
        int[] rows = new int[batchSize];
        for (int j = 0; j < batchSize; j++) {
          rows[j] = perm[(int) keys[b + j]];
        }
        out[next++] = rows;
      }
    }
    int[] visit = permutation(perEpoch, new Random(epochSeed(e) ^ 0x0b0c_e7a5_5eedL));
    int[][] shuffled = new int[perEpoch][];
    for (int i = 0; i < perEpoch; i++) {
      shuffled[i] = out[visit[i]];
    }
    return shuffled;
  }

  static int[] permutation(int n, Random rnd) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
