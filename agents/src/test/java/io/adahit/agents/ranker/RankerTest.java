package io.adahit.agents.ranker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.EncodeOptions;
import io.adahit.agents.backbone.Truncation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RankerTest {

  /** Fixed 2-d embeddings per text; records every text it is asked to encode. */
  private static final class FakeEncoder implements TextEncoder {
    final Map<String, float[]> vectors;
    final List<String> seen = new ArrayList<>();
    final List<EncodeOptions> options = new ArrayList<>();

    FakeEncoder(Map<String, float[]> vectors) {
      this.vectors = vectors;
    }

    @Override
    public float[][] encode(List<String> texts, EncodeOptions opts) {
      seen.addAll(texts);
      options.add(opts);
      return texts.stream().map(vectors::get).toArray(float[][]::new);
    }
  }

  private final FakeEncoder fake =
      new FakeEncoder(
          Map.of(
              "ctx", new float[] {1, 0},
              "ctx2", new float[] {0, 1},
              "a", new float[] {0.5f, 0},
              "b", new float[] {0.9f, 0.1f},
              "c", new float[] {0.5f, 5},
              "tie", new float[] {0.5f, 1}));

  @Test
  void ranksByDotProductBestFirstAndKeepsGivenOrderOnTies() {
    Ranker ranker = new Ranker(fake, RankerOptions.defaults());
    Ranking r = ranker.rank("ctx", List.of("a", "b", "c", "tie"));
    assertThat(r.scores()).containsExactly(0.5f, 0.9f, 0.5f, 0.5f);
    assertThat(r.order()).containsExactly(1, 0, 2, 3);
    assertThat(r.rankOf(0)).isEqualTo(2);
    assertThat(r.rankOf(3)).isEqualTo(4);
    assertThat(r.top(List.of("a", "b", "c", "tie"), 2)).containsExactly("b", "a");
    assertThat(r.topScores(2)).containsExactly(0.9f, 0.5f);
  }

  @Test
  void encodesEachDistinctCandidateOnceWithTheCandidateOptions() {
    Ranker ranker = new Ranker(fake, RankerOptions.defaults());
    List<Ranking> rs =
        ranker.rankAll(
            List.of("ctx", "ctx2"), List.of(List.of("a", "b", "c"), List.of("c", "a", "tie")));
    assertThat(fake.seen).containsExactly("ctx", "ctx2", "a", "b", "c", "tie");
    assertThat(fake.options.get(0).truncation()).isEqualTo(Truncation.KEEP_END);
    assertThat(fake.options.get(1).truncation()).isEqualTo(Truncation.KEEP_START);
    assertThat(rs.get(1).order()).containsExactly(0, 2, 1); // c (5) > tie (1) > a (0)
  }

  @Test
  void nanScoresAreRefused() {
    assertThatThrownBy(() -> Ranking.of(new float[] {1f, Float.NaN}))
        .hasMessageContaining("score of candidate 1 is NaN");
  }

  @Test
  void mismatchedOrEmptyInputsAreNamed() {
    Ranker ranker = new Ranker(fake, RankerOptions.defaults());
    assertThatThrownBy(() -> ranker.rankAll(List.of("ctx"), List.of()))
        .hasMessageContaining("1 contexts but 0 candidate lists");
    assertThatThrownBy(
            () -> ranker.rankAll(List.of("ctx", "ctx2"), List.of(List.of("a"), List.of())))
        .hasMessageContaining("example 1 has no candidates");
  }

  @Test
  void zeroShotBackbonePrefersTheOnTopicReply() throws Exception {
    try (Backbone backbone = Backbone.loadDefault()) {
      Ranker ranker = new Ranker(TextEncoder.of(backbone), RankerOptions.defaults());
      Ranking r =
          ranker.rank(
              "your persona: i like to ski.\nwhat do you do in winter?",
              List.of(
                  "my cat is black and white.",
                  "i go skiing in the mountains every weekend.",
                  "i work as an accountant."));
      assertThat(r.order()[0]).isEqualTo(1);
    }
  }
}
