package io.adahit.agents.ranker;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CandidateIndexTest {

  @Test
  void keepsOneCopyOfThePoolOnTheEngine() {
    NDManager manager = NDManager.newBaseManager("PyTorch");
    float[][] embeddings = {{1f, 0f, 0f}, {0f, 1f, 0f}, {0.6f, 0.8f, 0f}, {0f, 0f, 1f}};
    try (CandidateIndex index =
        new CandidateIndex(List.of("a", "b", "c", "d"), embeddings, manager)) {
      List<NDArray> live =
          manager.getManagedArrays().stream().filter(a -> !a.isReleased()).toList();
      assertThat(live).hasSize(1);
      assertThat(live.get(0).getShape()).isEqualTo(new Shape(3, 4));
      try (NDManager m = NDManager.newBaseManager("PyTorch")) {
        float[] scores = index.scores(m.create(new float[] {0f, 1f, 0f}, new Shape(1, 3)));
        assertThat(scores).containsExactly(0f, 1f, 0.8f, 0f);
      }
    }
    assertThat(manager.isOpen()).isFalse();
  }

  @Test
  void int8PoolKeepsAQuarterOfTheBytesAndScoresWithinTheRoundingBound() {
    Random rnd = new Random(7);
    int n = 2000; // a full and a partial block of INT8_BLOCK candidates
    assertThat(n % CandidateIndex.INT8_BLOCK).isPositive();
    assertThat(n).isGreaterThan(CandidateIndex.INT8_BLOCK);
    int d = 384;
    float[][] emb = new float[n][d];
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      emb[i] = unit(rnd, d);
      texts.add("c" + i);
    }
    int contexts = 64;
    float[] ctx = new float[contexts * d];
    for (int c = 0; c < contexts; c++) {
      System.arraycopy(unit(rnd, d), 0, ctx, c * d, d);
    }
    NDManager fm = NDManager.newBaseManager("PyTorch");
    NDManager qm = NDManager.newBaseManager("PyTorch");
    try (CandidateIndex fp32 = new CandidateIndex(texts, emb, fm);
        CandidateIndex int8 = new CandidateIndex(texts, emb, qm, PoolPrecision.INT8);
        NDManager m = NDManager.newBaseManager("PyTorch")) {
      List<NDArray> live = qm.getManagedArrays().stream().filter(a -> !a.isReleased()).toList();
      assertThat(live).extracting(NDArray::getDataType).containsExactly(DataType.INT8);
      assertThat(live).extracting(NDArray::getShape).containsExactly(new Shape(n, d));
      assertThat(int8.storedBytes()).isEqualTo((long) n * d + 4L * n);
      assertThat(fp32.storedBytes()).isEqualTo(4L * n * d);

      NDArray c = m.create(ctx, new Shape(contexts, d));
      float[] exact = fp32.scores(c);
      long callerArrays = m.getManagedArrays().stream().filter(a -> !a.isReleased()).count();
      float[] rounded = int8.scores(c);
      assertThat(qm.getManagedArrays().stream().filter(a -> !a.isReleased()).count())
          .as("the widened blocks are freed, none left on the index's manager")
          .isEqualTo(1);
      assertThat(m.getManagedArrays().stream().filter(a -> !a.isReleased()).count())
          .as("nor on the caller's")
          .isEqualTo(callerArrays);
      int sameTop = 0;
      for (int r = 0; r < contexts; r++) {
        int bestExact = 0;
        int bestRounded = 0;
        double l1 = 0;
        for (int j = 0; j < d; j++) {
          l1 += Math.abs(ctx[r * d + j]);
        }
        for (int i = 0; i < n; i++) {
          float maxAbs = 0;
          for (float v : emb[i]) {
            maxAbs = Math.max(maxAbs, Math.abs(v));
          }
          double bound = l1 * maxAbs / 127 / 2 + 1e-5;
          assertThat((double) Math.abs(exact[r * n + i] - rounded[r * n + i]))
              .isLessThanOrEqualTo(bound);
          bestExact = exact[r * n + i] > exact[r * n + bestExact] ? i : bestExact;
          bestRounded = rounded[r * n + i] > rounded[r * n + bestRounded] ? i : bestRounded;
        }
        sameTop += bestExact == bestRounded ? 1 : 0;
      }
      assertThat(sameTop).isGreaterThanOrEqualTo(contexts * 9 / 10);
    }
    assertThat(qm.isOpen()).isFalse();
  }

  @Test
  void poolPrecisionNamesTheAllowedValues() {
    assertThat(PoolPrecision.parse("INT8", "pool precision")).isEqualTo(PoolPrecision.INT8);
    assertThat(PoolPrecision.parse(" fp32", "pool precision")).isEqualTo(PoolPrecision.FP32);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> PoolPrecision.parse("fp16", "pool precision"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pool precision must be fp32 or int8, found 'fp16'");
  }

  private static float[] unit(Random rnd, int d) {
    float[] v = new float[d];
    double norm = 0;
    for (int j = 0; j < d; j++) {
      v[j] = (float) rnd.nextGaussian();
      norm += v[j] * v[j];
    }
    for (int j = 0; j < d; j++) {
      v[j] /= (float) Math.sqrt(norm);
    }
    return v;
  }
}
