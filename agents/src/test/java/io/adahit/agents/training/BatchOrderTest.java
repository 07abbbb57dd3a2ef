package io.adahit.agents.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BatchOrderTest {

  /** 1,000 pairs with contexts of 10..256 word pieces, a quarter of them cut at 256. */
  private static int[] lengths() {
    Random r = new Random(3);
    int[] out = new int[1000];
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.min(256, 10 + r.nextInt(330));
    }
    return out;
  }

  private static Set<Integer> epochRows(BatchOrder o, int perEpoch, int epoch) {
    Set<Integer> seen = new HashSet<>();
    for (int k = epoch * perEpoch; k < (epoch + 1) * perEpoch; k++) {
      for (int row : o.rows(k)) {
        assertThat(seen.add(row)).as("row %d twice in epoch %d", row, epoch).isTrue();
      }
    }
    return seen;
  }

  private static long paddedTokens(BatchOrder o, int[] len, int steps) {
    long padded = 0;
    for (int k = 0; k < steps; k++) {
      int max = 0;
      int[] rows = o.rows(k);
      for (int row : rows) {
        max = Math.max(max, len[row]);
      }
      padded += (long) max * rows.length;
    }
    return padded;
  }

  @Test
  void everyEpochVisitsDistinctPairsWithAndWithoutBuckets() {
    int[] len = lengths();
    for (int buckets : new int[] {0, 1, 4, 50}) {
      BatchOrder o = new BatchOrder(32, 7, 1, buckets, len);
      int perEpoch = 1000 / 32;
      Set<Integer> first = epochRows(o, perEpoch, 0);
      Set<Integer> second = epochRows(o, perEpoch, 1);
      assertThat(first).hasSize(perEpoch * 32);
      assertThat(second).hasSize(perEpoch * 32).isNotEqualTo(first); // the 8 left out differ
    }
  }

  @Test
  void aBatchIsAPureFunctionOfSeedTaskAndStepSoAResumedRunSeesTheSameBatches() {
    int[] len = lengths();
    BatchOrder straight = new BatchOrder(32, 7, 1, 4, len);
    int[][] seen = new int[100][];
    for (int k = 0; k < 100; k++) {
      seen[k] = straight.rows(k);
    }
    BatchOrder resumed = new BatchOrder(32, 7, 1, 4, len);
    for (int k = 99; k >= 40; k--) { // any order, across epochs
      assertThat(resumed.rows(k)).isEqualTo(seen[k]);
    }
    assertThat(new BatchOrder(32, 8, 1, 4, len).rows(0)).isNotEqualTo(seen[0]);
    assertThat(new BatchOrder(32, 7, 2, 4, len).rows(0)).isNotEqualTo(seen[0]);
  }

  @Test
  void bucketsSortEachPoolByContextLengthAndCutPadding() {
    int[] len = lengths();
    BatchOrder bucketed = new BatchOrder(32, 7, 0, 16, len);
    for (int k = 0; k < 31; k++) {
      int[] rows = bucketed.rows(k);
      for (int j = 1; j < rows.length; j++) {
        assertThat(len[rows[j]])
            .as("batch %d sorted longest first", k)
            .isLessThanOrEqualTo(len[rows[j - 1]]);
      }
    }
    long random = paddedTokens(new BatchOrder(32, 7, 0, 0, len), len, 31);
    long sorted = paddedTokens(bucketed, len, 31);
    long real = 0;
    for (int k = 0; k < 31; k++) {
      for (int row : bucketed.rows(k)) {
        real += len[row];
      }
    }
    assertThat(sorted).as("padded context tokens of an epoch").isLessThan(random * 3 / 4);
    assertThat(sorted).isGreaterThanOrEqualTo(real);
    assertThat(bucketed.epochPadding()).containsExactly(real, sorted, random);
  }

  @Test
  void fewerPairsThanABatchIsRefused() {
    assertThatThrownBy(() -> new BatchOrder(32, 0, 0, 0, new int[31]))
        .hasMessage("batch order: 31 pairs, fewer than the batch size 32");
  }
}
