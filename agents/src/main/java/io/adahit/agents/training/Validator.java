package io.adahit.agents.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.backbone.Backbone;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Hits@1/K on a held-out slice of the training data: each context ranks its gold reply among K−1
 * other replies of the slice, drawn once with a fixed seed (distinct texts, never the gold's text),
 * so every validation of a run scores the same candidate sets.
 */
final class Validator {

  private final Backbone backbone;
  private final PairCaches data;
  private final int[][] candidates;
  private final int batch;

  Validator(Backbone backbone, PairCaches data, int k, long seed, int batch) {
    this.backbone = backbone;
    this.data = data;
    this.batch = batch;
    int n = data.size();
    Random rnd = new Random(seed);
    List<String> replies = data.pairs().stream().map(TrainingPair::reply).toList();
    int distinct = new HashSet<>(replies).size();
    int kk = Math.min(k, distinct);
    candidates = new int[n][];
    for (int i = 0; i < n; i++) {
      int[] c = new int[kk];
      c[0] = i;
      Set<String> seen = new HashSet<>();
      seen.add(replies.get(i));
      int filled = 1;
      while (filled < kk) {
        int j = rnd.nextInt(n);
        if (seen.add(replies.get(j))) {
          c[filled++] = j;
        }
      }
      candidates[i] = c;
    }
  }

  /** K actually used (fewer when the slice has fewer distinct replies). */
  int candidatesPerExample() {
    return candidates.length == 0 ? 0 : candidates[0].length;
  }

  /** Hits@1 of {@code set} on the slice (NaN when it is empty). */
  double hitsAt1(AdapterSet set) {
    int n = data.size();
    if (n == 0) {
      return Double.NaN;
    }
    float[][] ctx = encode(data.contexts(), set);
    float[][] rep = encode(data.replies(), set);
    int hits = 0;
    for (int i = 0; i < n; i++) {
      int[] c = candidates[i];
      double gold = dot(ctx[i], rep[c[0]]);
      boolean best = true;
      for (int j = 1; j < c.length && best; j++) {
        best = dot(ctx[i], rep[c[j]]) <= gold;
      }
      hits += best ? 1 : 0;
    }
    return (double) hits / n;
  }

  private float[][] encode(LayerCache cache, AdapterSet set) {
    List<float[]> out = new ArrayList<>();
    int d = backbone.config().hiddenSize();
    for (int start = 0; start < cache.size(); start += batch) {
      int end = Math.min(cache.size(), start + batch);
      int[] rows = new int[end - start];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = start + i;
      }
      try (NDManager m = backbone.newManager()) {
        NDArray e = cache.encode(m, rows, set, true);
        float[] flat = e.toFloatArray();
        for (int i = 0; i < rows.length; i++) {
          float[] v = new float[d];
          System.arraycopy(flat, i * d, v, 0, d);
          out.add(v);
        }
      }
    }
    return out.toArray(float[][]::new);
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
