package io.adahit.server.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.adahit.server.events.VariantCounts;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report's statistics against published and hand-computed values. */
class AbStatisticsTest {

  @Test
  void wilsonIntervalsMatchNewcombesTable() {
    // Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I, method
    // 3
    assertInterval(AbStatistics.wilson(81, 263, 0.95), 0.2553, 0.3662);
    assertInterval(AbStatistics.wilson(15, 148, 0.95), 0.0624, 0.1605);
    assertInterval(AbStatistics.wilson(0, 20, 0.95), 0.0, 0.1611);
    assertInterval(AbStatistics.wilson(1, 29, 0.95), 0.0061, 0.1718);
    assertInterval(AbStatistics.wilson(29, 29, 0.95), 0.8830, 1.0);
    assertThatThrownBy(() -> AbStatistics.wilson(3, 2, 0.95))
        .hasMessageContaining("0 <= successes <= n");
  }

  private static void assertInterval(AbStatistics.Interval ci, double low, double high) {
    assertThat(ci.low()).isCloseTo(low, within(5e-5));
    assertThat(ci.high()).isCloseTo(high, within(5e-5));
  }

  @Test
  void twoProportionZTestByHand() {
    // 45/100 vs 60/100: pooled p = 0.525, SE = sqrt(0.525 * 0.475 * (1/100 + 1/100)) = 0.0706222,
    // z = 0.15 / 0.0706222 = 2.12398, two-sided p = 2 * (1 - Phi(2.12398)) = 0.033672
    AbStatistics.Test t = AbStatistics.twoProportion(45, 100, 60, 100);
    assertThat(t.statistic()).isCloseTo(2.12398, within(1e-5));
    assertThat(t.p()).isCloseTo(0.033672, within(1e-6));
    assertThat(AbStatistics.twoProportion(60, 100, 45, 100).statistic())
        .isCloseTo(-2.12398, within(1e-5));
    assertThat(AbStatistics.twoProportion(0, 10, 0, 10).p()).as("no variance: undefined").isNaN();
  }

  @Test
  void welchTestMatchesTheTextbookExamples() {
    // Welch's t-test, the two worked examples on Wikipedia ("Welch's t-test", Examples 1 and 2)
    double[] a1 = {
      27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4
    };
    double[] b1 = {
      27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4
    };
    AbStatistics.Test t1 = AbStatistics.welch(b1, a1); // mean(a1) - mean(b1)
    assertThat(t1.statistic()).isCloseTo(-2.46, within(0.005));
    assertThat(t1.df()).isCloseTo(24.99, within(0.005));
    assertThat(t1.p()).isCloseTo(0.021, within(0.0005));
    double[] a2 = {17.2, 20.9, 22.6, 18.1, 21.7, 21.4, 23.5, 24.2, 14.7, 21.8};
    double[] b2 = {
      21.5, 22.8, 21.0, 23.0, 21.6, 23.6, 22.5, 20.7, 23.4, 21.8, 20.7, 21.7, 21.5, 22.5, 23.6,
      21.5, 22.5, 23.5, 21.5, 21.8
    };
    AbStatistics.Test t2 = AbStatistics.welch(b2, a2);
    assertThat(t2.statistic()).isCloseTo(-1.57, within(0.005));
    assertThat(t2.df()).isCloseTo(9.90, within(0.005));
    assertThat(t2.p()).isCloseTo(0.149, within(0.0005));
  }

  @Test
  void sampleSizesMatchTheFleissFormula() {
    // p 0.5 vs 0.6, alpha 0.05 two-sided, power 0.8: (1.95996 * sqrt(2 * .55 * .45) + 0.84162 *
    // sqrt(.25 + .24))^2
    // / 0.01 = 387.34 per arm (tables: 388); 0.10 vs 0.15: 685.6 (tables: 686)
    assertThat(AbStatistics.sampleSizeProportions(0.5, 0.6, 0.05, 0.8))
        .isCloseTo(387.34, within(0.01));
    assertThat(AbStatistics.sampleSizeProportions(0.10, 0.15, 0.05, 0.8))
        .isCloseTo(685.60, within(0.01));
    // means: difference 0.5 sd (sd 1 both): (1.95996 + 0.84162)^2 * 2 / 0.25 = 62.79 per arm
    // (tables: 63)
    assertThat(AbStatistics.sampleSizeMeans(0.5, 1, 1, 0.05, 0.8)).isCloseTo(62.79, within(0.01));
    assertThat(AbStatistics.sampleSizeProportions(0.3, 0.3, 0.05, 0.8)).isNaN();
  }

  @Test
  void theReportComputesFromStoredSums() {
    Experiment e =
        new Experiment(
            "e",
            "s",
            List.of(
                new Experiment.Variant("a", null, 1.0),
                new Experiment.Variant("b", "s_b", 1.0),
                new Experiment.Variant("c", "s_c", 1.0)));
    // a: 100 thumbs, 45 up; ratings 3, 4, 5 -> mean 4, sd 1. b: 100 thumbs, 60 up; ratings 4, 5 ->
    // mean 4.5
    Map<String, VariantCounts> counts =
        Map.of(
            "a", new VariantCounts("a", 200, 10, 40, 3, 12, 50, 45, 55, 80),
            "b", new VariantCounts("b", 200, 20, 30, 2, 9, 41, 60, 40, 90));
    AbReport r = AbReport.compute(e, counts);
    assertThat(r.variants())
        .extracting(AbReport.VariantReport::variant)
        .containsExactly("a", "b", "c");
    AbReport.VariantReport a = r.variants().get(0);
    assertThat(a.adapter()).isEqualTo("(as served)");
    assertThat(a.meanEpisodeLength()).isEqualTo(4.0);
    assertThat(a.meanRating()).isEqualTo(4.0);
    assertThat(a.ratingSd()).isCloseTo(1.0, within(1e-12));
    assertThat(a.thumbsUpRate()).isEqualTo(0.45);
    assertThat(a.thumbsUpLow()).isCloseTo(AbStatistics.wilson(45, 100, 0.95).low(), within(1e-12));
    assertThat(r.variants().get(2).conversations()).isZero();
    assertThat(r.variants().get(2).thumbsUpRate()).isNull();
    AbReport.Comparison ab = r.comparisons().get(0);
    assertThat(ab.variant()).isEqualTo("b");
    assertThat(ab.thumbsDiff()).isCloseTo(0.15, within(1e-12));
    assertThat(ab.thumbsZ()).isCloseTo(2.12398, within(1e-5));
    assertThat(ab.thumbsP()).isCloseTo(0.033672, within(1e-6));
    // power .8 at .45 vs .60 needs 172.8 -> 173 thumbs per arm; 100 observed; 200 thumbs over 400
    // conversations
    // is 0.5 per conversation: 73 / 0.5 = 146 more conversations per arm
    assertThat(ab.moreConversationsThumbs()).isEqualTo(146L);
    assertThat(ab.ratingDiff()).isEqualTo(0.5);
    assertThat(r.comparisons().get(1).thumbsP()).as("no data for c").isNull();
    assertThat(r.notes()).anyMatch(n -> n.contains("alpha 0.0250"));
  }
}
