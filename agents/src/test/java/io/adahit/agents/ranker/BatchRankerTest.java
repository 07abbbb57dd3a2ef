package io.adahit.agents.ranker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link BatchRanker}'s list form, {@link DistinctTexts}, {@link Ranking}'s order and {@link
 * CandidateIndex}.
 */
class BatchRankerTest {

  @Test
  void eachExampleIsRankedAgainstItsOwnCandidatesByDotProduct() {
    DistinctTexts d = DistinctTexts.of(List.of(List.of("a", "b", "c"), List.of("c", "a")));
    assertThat(d.texts()).containsExactly("a", "b", "c");
    assertThat(d.lists()).isDeepEqualTo(new int[][] {{0, 1, 2}, {2, 0}});
    float[][] cand = {{1, 0}, {0, 1}, {0.5f, 0.5f}};
    List<Ranking> r = BatchRanker.rank(new float[][] {{1, 0}, {0, 2}}, cand, d.lists());
    assertThat(r.get(0).scores()).containsExactly(1f, 0f, 0.5f);
    assertThat(r.get(0).order()).containsExactly(0, 2, 1);
    assertThat(r.get(1).scores()).containsExactly(1f, 0f);
    assertThat(BatchRanker.rank(new float[] {0, 2}, cand).scores()).containsExactly(0f, 2f, 1f);
  }

  @Test
  void badInputIsRefusedNamingWhatIsWrong() {
    float[][] cand = {{1, 0}};
    assertThatThrownBy(() -> BatchRanker.rank(new float[][] {{1, 0}}, cand, new int[][] {{0}, {0}}))
        .hasMessageContaining("1 contexts but 2 candidate lists");
    assertThatThrownBy(() -> BatchRanker.rank(new float[][] {{1, 0}}, cand, new int[][] {{}}))
        .hasMessageContaining("example 0 has no candidates");
    assertThatThrownBy(() -> BatchRanker.rank(new float[][] {{1, 0, 0}}, cand, new int[][] {{0}}))
        .hasMessageContaining("embedding sizes differ, 3 vs 2");
  }

  /** The primitive-key sort orders as a stable descending sort by {@link Float#compare} did. */
  @Test
  void rankingOrderEqualsAStableDescendingSortByFloatCompare() {
    Random rnd = new Random(3);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + rnd.nextInt(60);
      float[] s = new float[n];
      for (int i = 0; i < n; i++) {
        int kind = rnd.nextInt(6);
        s[i] =
            kind == 0
                ? 0f
                : kind == 1
                    ? -0f
                    : kind == 2 ? (rnd.nextInt(3) - 1) * 0.25f : (float) rnd.nextGaussian();
      }
      Integer[] idx = new Integer[n];
      Arrays.setAll(idx, i -> i);
      Arrays.sort(idx, (a, b) -> Float.compare(s[b], s[a]));
      int[] expected = Arrays.stream(idx).mapToInt(Integer::intValue).toArray();
      assertThat(Ranking.of(s).order())
          .as("trial %d: %s", trial, Arrays.toString(s))
          .containsExactly(expected);
    }
  }

  @Test
  void anIndexHoldsItsPoolAndIsFreedWhenClosed() {
    CandidateIndex index =
        new CandidateIndex(
            List.of("x", "y"), new float[][] {{1, 0, 0}, {0, 1, 0}}, NDManager.newBaseManager());
    assertThat(index.size()).isEqualTo(2);
    assertThat(index.dim()).isEqualTo(3);
    assertThat(index.isClosed()).isFalse();
    try (NDManager m = NDManager.newBaseManager()) {
      float[] scores = index.scores(m.create(new float[][] {{2, 3, 0}, {0, 1, 1}}));
      assertThat(scores).containsExactly(2f, 3f, 0f, 1f);
    }
    index.close();
    assertThat(index.isClosed()).isTrue();
    assertThatThrownBy(
            () ->
                new CandidateIndex(
                    List.of("x"), new float[][] {{1}, {2}}, NDManager.newBaseManager()))
        .hasMessageContaining("1 texts but 2 embeddings");
    assertThatThrownBy(
            () ->
                new CandidateIndex(
                    List.of("x", "y"), new float[][] {{1, 2}, {3}}, NDManager.newBaseManager()))
        .hasMessageContaining("embedding 1 has 1 values, the first has 2");
  }
}
