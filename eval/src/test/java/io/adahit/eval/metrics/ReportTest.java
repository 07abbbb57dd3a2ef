package io.adahit.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {

  /** K candidates "c0".."c{K-1}" with the gold "gold" at 1-based position {@code rank}. */
  static List<String> ranked(int k, int rank) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < k - 1; i++) {
      out.add("c" + i);
    }
    out.add(rank - 1, "gold");
    return out;
  }

  @Test
  void averagesHandComputedRanks() {
    Report r = new Report();
    for (int rank : new int[] {1, 3, 12}) {
      r.addRanking("ex", ranked(20, rank), List.of("gold"));
    }
    Map<String, Number> m = r.toMap();
    assertThat(m.keySet())
        .containsExactly(
            "exs", "accuracy", "f1", "hits@1", "hits@5", "hits@10", "hits@100", "mrr", "rank");
    assertThat(m.get("exs")).isEqualTo(3L);
    assertThat(m.get("accuracy").doubleValue()).isCloseTo(1.0 / 3, within(1e-12));
    assertThat(m.get("hits@1").doubleValue()).isCloseTo(1.0 / 3, within(1e-12));
    assertThat(m.get("hits@5").doubleValue()).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(m.get("hits@10").doubleValue()).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(m.get("mrr").doubleValue()).isCloseTo(17.0 / 36, within(1e-12)); // (1+1/3+1/12)/3
    assertThat(m.get("rank").doubleValue()).isCloseTo(16.0 / 3, within(1e-12));
    assertThat(m.get("hits@100").doubleValue())
        .as("as ParlAI: K = 20 < 100 counts as a hit")
        .isEqualTo(1.0);
    assertThat(m.get("f1").doubleValue())
        .as("the chosen reply is the gold once of 3")
        .isCloseTo(1.0 / 3, within(1e-12));
  }

  @Test
  void hitsAtKCountsEveryExampleAsParlAIDoesAlsoWithFewerThanKCandidates() {
    Report r = new Report();
    r.addRanking("a", ranked(20, 1), List.of("gold"));
    r.addRanking("b", ranked(20, 11), List.of("gold"));
    r.addRanking("c", ranked(100, 50), List.of("gold"));
    r.addRanking("d", ranked(100, 2), List.of("gold"));
    assertThat(r.average("hits@10")).hasValue(0.5); // a and d, of 4
    assertThat(r.average("hits@100")).hasValue(1.0); // every rank is <= 100
    assertThat(r.count("hits@100")).isEqualTo(4);
    assertThat(r.toMap().keySet()).containsSubsequence("hits@10", "hits@100", "mrr");
  }

  @Test
  void missingLabelIsAnErrorNamingTheExample() {
    Report r = new Report();
    assertThatThrownBy(
            () ->
                r.addRanking(
                    "convai2 valid episode 3 example 1", List.of("x", "y"), List.of("gold")))
        .isInstanceOf(BadCandidatesException.class)
        .hasMessageStartingWith(
            "example 'convai2 valid episode 3 example 1': none of its labels [gold] is among its 2 candidates")
        .satisfies(
            e ->
                assertThat(((BadCandidatesException) e).exampleId())
                    .isEqualTo("convai2 valid episode 3 example 1"));
    assertThat(r.exs()).isZero();
  }

  @Test
  void ignoredBadCandidatesAreSkippedAndCounted() {
    Report r = new Report(true);
    assertThat(r.addRanking("bad", List.of("x"), List.of("gold"))).isEmpty();
    r.addRanking("ok", ranked(20, 2), List.of("gold"));
    assertThat(r.toMap())
        .containsEntry("exs", 1L)
        .containsEntry("hits@1", 0.0)
        .containsEntry("mrr", 0.5)
        .containsEntry("bad_candidates", 1L);
  }

  @Test
  void partialReportsMergeIntoTheSameNumbers() {
    Report whole = new Report();
    Report a = new Report();
    Report b = new Report();
    int[] ranks = {1, 4, 7, 100, 2};
    for (int i = 0; i < ranks.length; i++) {
      whole.addRanking("e" + i, ranked(100, ranks[i]), List.of("gold"));
      (i % 2 == 0 ? a : b).addRanking("e" + i, ranked(100, ranks[i]), List.of("gold"));
    }
    a.addAll(b);
    assertThat(a.toMap()).isEqualTo(whole.toMap());
  }

  @Test
  void emptyReportHasOnlyExs() {
    assertThat(new Report().toMap()).containsExactly(Map.entry("exs", 0L));
  }

  @Test
  void rankCountsRebuildTheSameReport() {
    Report r = new Report(true);
    r.addRanking("a", ranked(20, 3), List.of("gold"));
    r.addRanking("b", ranked(20, 3), List.of("gold"));
    r.addRanking("c", ranked(100, 1), List.of("gold"));
    r.addRanking("bad", List.of("x"), List.of("gold"));
    assertThat(r.rankCounts())
        .containsExactly(new Report.RankCount(20, 3, 2), new Report.RankCount(100, 1, 1));
    Report back = Report.fromRankCounts(true, r.badCandidates(), r.rankCounts());
    back.addF1Counts(r.f1Counts());
    assertThat(back.toMap()).isEqualTo(r.toMap());
    assertThat(back.toMap()).containsEntry("bad_candidates", 1L).containsEntry("exs", 3L);
    assertThatThrownBy(() -> Report.fromRankCounts(false, 2, List.of()))
        .hasMessageContaining("2 bad-candidate examples, but bad candidates are not ignored");
    assertThatThrownBy(() -> new Report.RankCount(20, 21, 1))
        .hasMessage("rank count: need 1 <= rank <= K, found rank 21 of K 20");
  }

  @Test
  void mergedSlicesEqualTheWholeBitForBitWhateverTheSlicing() {
    // ranks whose reciprocals do not add up exactly in floating point, in shuffled order
    List<Integer> ranks = new ArrayList<>();
    java.util.Random random = new java.util.Random(5);
    for (int i = 0; i < 997; i++) {
      ranks.add(1 + random.nextInt(100));
    }
    Report whole = new Report();
    ranks.forEach(rank -> whole.addRanking("e", ranked(100, rank), List.of("gold")));
    for (int slices : new int[] {2, 3, 7}) {
      Report merged = new Report();
      for (int s = slices - 1; s >= 0; s--) {
        Report part = new Report();
        for (int i = s; i < ranks.size(); i += slices) {
          part.addRanking("e", ranked(100, ranks.get(i)), List.of("gold"));
        }
        merged.addAll(part);
      }
      assertThat(merged.toMap()).as("%d slices", slices).isEqualTo(whole.toMap());
    }
    double naive = 0;
    for (int rank : ranks) {
      naive += 1.0 / rank;
    }
    assertThat(whole.average("mrr").getAsDouble()).isCloseTo(naive / ranks.size(), within(1e-12));
  }
}
