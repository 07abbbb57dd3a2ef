package io.adahit.eval.teachers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adahit.eval.metrics.AnswerNormalizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CandidateSamplerTest {

  /** 40 episodes of 3 labels: "reply e-i", plus near-duplicates of episode 0's first label. */
  private static CandidateSampler sampler(long seed, int k) {
    List<String> texts = new ArrayList<>();
    List<Integer> episodes = new ArrayList<>();
    for (int e = 0; e < 40; e++) {
      for (int i = 0; i < 3; i++) {
        texts.add("reply " + e + "-" + i);
        episodes.add(e);
      }
    }
    texts.add("The reply 0-0!");
    episodes.add(7);
    texts.add("reply 0 0");
    episodes.add(8);
    return new CandidateSampler(texts, episodes, seed, k);
  }

  @Test
  void goldOnceNegativesFromOtherEpisodesDistinctAfterNormalisation() {
    CandidateSampler s = sampler(0, 20);
    for (int ex = 0; ex < 50; ex++) {
      List<String> c = s.sample("ex", ex, 0, List.of("reply 0-0"));
      assertThat(c).hasSize(20).containsOnlyOnce("reply 0-0");
      Set<String> normalised = new HashSet<>();
      c.forEach(x -> normalised.add(AnswerNormalizer.normalize(x)));
      assertThat(normalised).hasSize(20); // "The reply 0-0!" / "reply 0 0" never join the gold
      assertThat(c).noneMatch(x -> x.startsWith("reply 0-") && !x.equals("reply 0-0"));
    }
  }

  @Test
  void deterministicPerSeedAndPerExampleIndex() {
    List<String> a = sampler(3, 10).sample("ex", 5, 2, List.of("reply 2-1"));
    assertThat(sampler(3, 10).sample("ex", 5, 2, List.of("reply 2-1"))).isEqualTo(a);
    assertThat(sampler(4, 10).sample("ex", 5, 2, List.of("reply 2-1"))).isNotEqualTo(a);
    assertThat(sampler(3, 10).sample("ex", 6, 2, List.of("reply 2-1"))).isNotEqualTo(a);
  }

  @Test
  void goldPositionIsSpreadOverTheList() {
    CandidateSampler s = sampler(0, 5);
    Set<Integer> positions = new HashSet<>();
    for (int ex = 0; ex < 100; ex++) {
      positions.add(s.sample("ex", ex, 1, List.of("reply 1-0")).indexOf("reply 1-0"));
    }
    assertThat(positions).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
  }

  @Test
  void tooSmallAPoolIsAnErrorNamingTheExample() {
    CandidateSampler s =
        new CandidateSampler(List.of("a", "b", "c", "a"), List.of(0, 1, 1, 2), 0, 4);
    assertThatThrownBy(() -> s.sample("convai2 valid episode 0 example 0", 0, 0, List.of("a")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "convai2 valid episode 0 example 0: K = 4 needs 3 negatives from other episodes,"
                + " distinct after normalisation; the split's 4 labels give only 2");
  }
}
