package io.adahit.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class HitsAtKTest {

  @Test
  void rankIsTheOneBasedPositionOfTheGold() {
    ExampleMetrics m =
        HitsAtK.evaluate("e", List.of("x", "gold", "y"), List.of("gold")).orElseThrow();
    assertThat(m.rank()).isEqualTo(2);
    assertThat(m.numCandidates()).isEqualTo(3);
    assertThat(m.accuracy()).isZero();
    assertThat(m.hitsAt(1)).isZero();
    assertThat(m.hitsAt(5)).isEqualTo(1);
    assertThat(m.mrr()).isEqualTo(0.5);
  }

  @Test
  void labelsAndCandidatesAreComparedAfterNormalisation() {
    ExampleMetrics m =
        HitsAtK.evaluate("e", List.of("gold cat", "x"), List.of("The gold, cat!")).orElseThrow();
    assertThat(m.rank()).isEqualTo(1);
    assertThat(m.accuracy()).isEqualTo(1);
  }

  @Test
  void duplicateGoldCountsItsBestRankedCopy() {
    // ParlAI's hits@k agrees; its rank would use the first copy in input order instead.
    ExampleMetrics m =
        HitsAtK.evaluate("e", List.of("a", "gold", "b", "gold"), List.of("gold")).orElseThrow();
    assertThat(m.rank()).isEqualTo(2);
  }

  @Test
  void duplicateNegativesEachTakeASlot() {
    ExampleMetrics m =
        HitsAtK.evaluate("e", List.of("no", "no", "no", "gold"), List.of("gold")).orElseThrow();
    assertThat(m.rank()).isEqualTo(4);
  }

  @Test
  void anyOfSeveralLabelsCounts() {
    ExampleMetrics m =
        HitsAtK.evaluate("e", List.of("x", "b", "a"), List.of("a", "b")).orElseThrow();
    assertThat(m.rank()).isEqualTo(2);
  }

  @Test
  void missingLabelGivesNoMetricsAndEmptyLabelsAreAnError() {
    assertThat(HitsAtK.evaluate("e", List.of("x", "y"), List.of("gold"))).isEmpty();
    assertThat(HitsAtK.evaluate("e", List.of(), List.of("gold"))).isEmpty();
    assertThatThrownBy(() -> HitsAtK.evaluate("ex 7", List.of("x"), List.of()))
        .hasMessage("example 'ex 7': labels must not be empty, found []");
  }

  @Test
  void hitsAtKBeyondKCandidatesIsOneAsInParlai() {
    ExampleMetrics twenty = new ExampleMetrics("e", 20, 20);
    assertThat(twenty.hitsAt(10)).isZero();
    assertThat(twenty.hitsAt(100)).isEqualTo(1);
    assertThat(new ExampleMetrics("e", 100, 100).hitsAt(99)).isZero();
    assertThatThrownBy(() -> new ExampleMetrics("e", 21, 20))
        .hasMessage("example 'e': rank must be in 1..20, found 21");
  }

  @Test
  void exactMatchIsParlaiAccuracy() {
    assertThat(HitsAtK.exactMatch("The answer.", List.of("x", "answer"))).isEqualTo(1);
    assertThat(HitsAtK.exactMatch("answers", List.of("answer"))).isZero();
  }
}
