package io.adahit.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Every expected number here is computed by hand (or in the comment next to it). */
class PairedComparisonTest {

  @Test
  void quantileInterpolatesBetweenOrderStatisticsLikeNumpy() {
    double[] v = {1, 2, 3, 4};
    assertThat(PairedComparison.quantile(v, 0)).isEqualTo(1.0);
    assertThat(PairedComparison.quantile(v, 0.25)).isEqualTo(1.75); // position 3 * 0.25 = 0.75
    assertThat(PairedComparison.quantile(v, 0.5)).isEqualTo(2.5);
    assertThat(PairedComparison.quantile(v, 1)).isEqualTo(4.0);
    assertThat(PairedComparison.quantile(new double[] {7}, 0.975)).isEqualTo(7.0);
  }

  @Test
  void exactMcNemarIsTheTwoSidedBinomialTailOfTheDiscordantPairs() {
    // b = 10, c = 2: 2 * P(X <= 2), X ~ Bin(12, 1/2) = 2 * (1 + 12 + 66) / 4096
    assertThat(PairedComparison.mcnemarExactP(10, 2)).isCloseTo(158.0 / 4096, within(1e-12));
    assertThat(PairedComparison.mcnemarExactP(2, 10)).isCloseTo(158.0 / 4096, within(1e-12));
    // b = 0, c = 5: 2 * (1/2)^5
    assertThat(PairedComparison.mcnemarExactP(0, 5)).isCloseTo(0.0625, within(1e-12));
    // b = c = 3: 2 * 42/64 > 1, capped
    assertThat(PairedComparison.mcnemarExactP(3, 3)).isEqualTo(1.0);
    assertThat(PairedComparison.mcnemarExactP(0, 0)).isEqualTo(1.0);
  }

  @Test
  void continuityCorrectedMcNemarMatchesTheChiSquareTail() {
    // (|10 - 2| - 1)^2 / 12 = 49/12; P(chi2_1 > 49/12) = erfc(sqrt(49/24)) = 0.04330814281079198
    assertThat(PairedComparison.mcnemarChi2(10, 2)).isCloseTo(49.0 / 12, within(1e-12));
    assertThat(PairedComparison.mcnemarChi2P(10, 2)).isCloseTo(0.04330814281079198, within(1e-12));
    // (5 - 1)^2 / 5 = 3.2; erfc(sqrt(1.6)) = 0.07363827012030266
    assertThat(PairedComparison.mcnemarChi2P(0, 5)).isCloseTo(0.07363827012030266, within(1e-12));
    // |b - c| = 1: the correction makes the statistic 0
    assertThat(PairedComparison.mcnemarChi2(4, 3)).isZero();
    assertThat(PairedComparison.mcnemarChi2P(4, 3)).isEqualTo(1.0);
    assertThatThrownBy(() -> PairedComparison.mcnemarExactP(-1, 2))
        .hasMessage("McNemar: discordant counts must be >= 0, found b = -1, c = 2");
  }

  @Test
  void compareCountsMeansDifferenceAndDiscordantPairs() {
    boolean[] a = {true, true, false, false, true};
    boolean[] b = {true, false, true, true, true};
    PairedComparison.Result r = PairedComparison.compare(a, b, 200, 3);
    assertThat(r.n()).isEqualTo(5);
    assertThat(r.meanA()).isEqualTo(0.6);
    assertThat(r.meanB()).isEqualTo(0.8);
    assertThat(r.diff()).isCloseTo(0.2, within(1e-15));
    assertThat(r.aOnly()).isEqualTo(1);
    assertThat(r.bOnly()).isEqualTo(2);
    assertThat(r.mcnemarExactP()).isEqualTo(1.0); // 2 * P(X <= 1), X ~ Bin(3, 1/2) = 2 * 4/8
    assertThat(r.ciLow()).isLessThanOrEqualTo(r.diff());
    assertThat(r.ciHigh()).isGreaterThanOrEqualTo(r.diff());
  }

  @Test
  void bootstrapIntervalCollapsesWhenEveryPairDiffersTheSameWay() {
    boolean[] none = new boolean[50];
    boolean[] all = new boolean[50];
    java.util.Arrays.fill(all, true);
    assertThat(PairedComparison.bootstrapInterval(none, all, 100, 0)).containsExactly(1.0, 1.0);
    assertThat(PairedComparison.bootstrapInterval(all, all, 100, 0)).containsExactly(0.0, 0.0);
  }

  @Test
  void bootstrapIsSeededAndPairedSoItsWidthFollowsTheVarianceOfTheDifferences() {
    // 2000 examples: A right on every other one; B agrees except 200 B-only and 100 A-only wins
    int n = 2000;
    boolean[] a = new boolean[n];
    boolean[] b = new boolean[n];
    for (int i = 0; i < n; i++) {
      a[i] = i % 2 == 0;
      b[i] = a[i];
    }
    for (int i = 0; i < 200; i++) {
      b[2 * i + 1] = true; // odd: A wrong, B right
    }
    for (int i = 0; i < 100; i++) {
      b[1000 + 2 * i] = false; // even: A right, B wrong
    }
    double diff = (200 - 100) / (double) n; // 0.05
    // per-example d in {+1: 200, -1: 100, 0: 1700}: var = E[d^2] - diff^2
    double sd = Math.sqrt((300.0 / n - diff * diff) / n); // 0.00381...
    double[] ci = PairedComparison.bootstrapInterval(a, b, 1000, 42);
    assertThat(ci[0]).isCloseTo(diff - 1.96 * sd, within(0.3 * sd));
    assertThat(ci[1]).isCloseTo(diff + 1.96 * sd, within(0.3 * sd));
    // an unpaired bootstrap would be about 4x wider here (each mean has sd ~0.011)
    assertThat(ci[1] - ci[0]).isLessThan(2 * 1.96 * sd * 1.3);
    assertThat(PairedComparison.bootstrapInterval(a, b, 1000, 42)).containsExactly(ci);
    assertThat(PairedComparison.bootstrapInterval(a, b, 1000, 43)).isNotEqualTo(ci);
  }

  @Test
  void rejectsUnpairedOrEmptyInput() {
    assertThatThrownBy(() -> PairedComparison.compare(new boolean[2], new boolean[3], 10, 0))
        .hasMessage("compare: paired outcomes must have the same length, found 2 and 3");
    assertThatThrownBy(() -> PairedComparison.compare(new boolean[0], new boolean[0], 10, 0))
        .hasMessage("compare: need at least one paired example, found none");
    assertThatThrownBy(() -> PairedComparison.compare(new boolean[1], new boolean[1], 0, 0))
        .hasMessage("compare: bootstrap resamples must be >= 1, found 0");
  }
}
