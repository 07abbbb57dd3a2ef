package io.adahit.agents.ranker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link BatchRanker#top}'s selection from a row of pool scores (moved here with it from the
 * server).
 */
class BatchRankerTopTest {

  private static final List<String> TEXTS = List.of("a", "b", "c", "d", "e");

  @Test
  void returnsTheBestKBestFirstWithTheirScores() {
    float[] scores = {0.1f, 0.9f, -0.5f, 0.7f, 0.3f};
    BatchRanker.Top top = BatchRanker.top(scores, 0, TEXTS, 3, Set.of());
    assertThat(top.texts()).containsExactly("b", "d", "e");
    assertThat(top.scores()).containsExactly(0.9f, 0.7f, 0.3f);
  }

  @Test
  void tiesKeepCandidateOrderAsRankingDoes() {
    float[] scores = {0.5f, 0.5f, 0.5f, 0.2f, 0.5f};
    assertThat(BatchRanker.top(scores, 0, TEXTS, 5, Set.of()).texts())
        .containsExactly("a", "b", "c", "e", "d");
  }

  @Test
  void blockedTextsAreSkippedAndTheNextOnesMoveUp() {
    float[] scores = {0.1f, 0.9f, -0.5f, 0.7f, 0.3f};
    assertThat(BatchRanker.top(scores, 0, TEXTS, 2, Set.of("b")).texts()).containsExactly("d", "e");
  }

  @Test
  void readsItsRowAtAnOffsetOfABatchMatrix() {
    float[] rows = {9f, 9f, 9f, 9f, 9f, -1f, -2f, 3f, 0f, -3f};
    assertThat(BatchRanker.top(rows, 5, TEXTS, 2, Set.of()).texts()).containsExactly("c", "d");
  }

  @Test
  void negativeScoresOrderCorrectly() {
    float[] scores = {-0.1f, -0.9f, -0.5f, -0.7f, -0.3f};
    assertThat(BatchRanker.top(scores, 0, TEXTS, 5, Set.of()).texts())
        .containsExactly("a", "e", "c", "d", "b");
  }
}
