package io.adahit.server.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The Rank candidate cache is bounded by memory, texts included, and keyed by length too. */
class CandidateEmbeddingsTest {

  private static final int LENGTH = 64;

  @Test
  void keptEmbeddingsComeBackOnlyForTheSameLengthAndText() {
    CandidateEmbeddings kept = new CandidateEmbeddings(1, new SimpleMeterRegistry());
    float[] e = {0.5f, -0.25f};
    kept.put(null, LENGTH, "i love dogs", e);
    assertThat(kept.get(null, LENGTH, "i love dogs")).isSameAs(e);
    assertThat(kept.get(null, 32, "i love dogs")).isNull();
    assertThat(kept.get(null, LENGTH, "i love cats")).isNull();
  }

  @Test
  void aCandidateLongerThanTheWholeBudgetIsNotKeptAndTheBudgetHoldsTexts() {
    CandidateEmbeddings kept = new CandidateEmbeddings(1, new SimpleMeterRegistry());
    String huge = "x".repeat(600_000); // 1.2 MB of characters: more than the 1 MB budget
    kept.put(null, LENGTH, huge, new float[384]);
    assertThat(kept.get(null, LENGTH, huge)).isNull();
    // 1 MB holds ~600 entries of a 384-float embedding and a 200-character text, not 1,000
    for (int i = 0; i < 1000; i++) {
      kept.put(null, LENGTH, i + " " + "y".repeat(200), new float[384]);
    }
    int present = 0;
    for (int i = 0; i < 1000; i++) {
      present += kept.get(null, LENGTH, i + " " + "y".repeat(200)) != null ? 1 : 0;
    }
    assertThat(present)
        .isLessThanOrEqualTo((1 << 20) / CandidateEmbeddings.bytes("y".repeat(204), new float[384]))
        .isGreaterThan(0);
  }

  @Test
  void zeroKeepsNothingAndANegativeBudgetIsRefused() {
    CandidateEmbeddings none = new CandidateEmbeddings(0, new SimpleMeterRegistry());
    none.put(null, LENGTH, "hi", new float[] {1f});
    assertThat(none.get(null, LENGTH, "hi")).isNull();
    assertThatThrownBy(() -> new CandidateEmbeddings(-1, new SimpleMeterRegistry()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be >= 0 MB, found -1");
  }
}
