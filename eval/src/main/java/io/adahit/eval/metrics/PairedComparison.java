package io.adahit.eval.metrics;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.commons.math3.special.Gamma;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;

/**
 * Statistics of an offline A/B test: two configurations scored on the same examples, each example a
 * hit (1) or miss (0) for each (e.g. hits@1). Gives both means, their difference {@code B − A} with
 * a paired percentile-bootstrap interval (examples resampled with replacement, both outcomes of an
 * example kept together; seeded, so reruns agree), and McNemar's test on the discordant pairs:
 * {@code b} = examples only A gets right, {@code c} = examples only B gets right.
 *
 * <ul>
 *   <li>Exact McNemar: two-sided binomial test of {@code min(b, c)} under Bin(b + c, 1/2), {@code p
 *       = min(1, 2 P(X <= min(b, c)))}; 1 when there is no discordant pair.
 *   <li>Continuity-corrected: {@code χ² = max(0, |b − c| − 1)² / (b + c)} on 1 degree of freedom
 *       (Edwards 1948); good when {@code b + c} is large, the exact p otherwise.
 * </ul>
 *
 * The distributions come from Apache Commons Math.
 *
 * <pre>{@code
 * PairedComparison.Result r = PairedComparison.compare(hitsA, hitsB, 1000, 0L);
 * r.diff();                      // mean(B) - mean(A)
 * r.ciLow(); r.ciHigh();         // 95% paired bootstrap interval
 * r.mcnemarExactP();             // two-sided
 * }</pre>
 */
public final class PairedComparison {

  /** The interval's coverage. */
  public static final double LEVEL = 0.95;

  private PairedComparison() {}

  /**
   * @param n paired examples
   * @param meanA share of A's hits
   * @param meanB share of B's hits
   * @param diff {@code meanB - meanA}
   * @param ciLow lower end of the 95% paired bootstrap interval of {@code diff}
   * @param ciHigh upper end
   * @param resamples bootstrap resamples drawn
   * @param seed their seed
   * @param aOnly b: examples A gets right and B wrong
   * @param bOnly c: examples B gets right and A wrong
   * @param mcnemarExactP two-sided exact (binomial) McNemar p-value
   * @param mcnemarChi2 continuity-corrected statistic
   * @param mcnemarChi2P its p-value (χ², 1 degree of freedom)
   */
  public record Result(
      int n,
      double meanA,
      double meanB,
      double diff,
      double ciLow,
      double ciHigh,
      int resamples,
      long seed,
      int aOnly,
      int bOnly,
      double mcnemarExactP,
      double mcnemarChi2,
      double mcnemarChi2P) {}

  /**
   * Compares paired outcomes.
   *
   * @throws IllegalArgumentException if the arrays differ in length or are empty, or {@code
   *     resamples < 1}
   */
  public static Result compare(boolean[] a, boolean[] b, int resamples, long seed) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          "compare: paired outcomes must have the same length, found "
              + a.length
              + " and "
              + b.length);
    }
    if (a.length == 0) {
      throw new IllegalArgumentException("compare: need at least one paired example, found none");
    }
    int n = a.length;
    int hitsA = 0;
    int hitsB = 0;
    int aOnly = 0;
    int bOnly = 0;
    for (int i = 0; i < n; i++) {
      hitsA += a[i] ? 1 : 0;
      hitsB += b[i] ? 1 : 0;
      aOnly += a[i] && !b[i] ? 1 : 0;
      bOnly += !a[i] && b[i] ? 1 : 0;
    }
    double[] ci = bootstrapInterval(a, b, resamples, seed);
    return new Result(
        n,
        (double) hitsA / n,
        (double) hitsB / n,
        (double) (hitsB - hitsA) / n,
        ci[0],
        ci[1],
        resamples,
        seed,
        aOnly,
        bOnly,
        mcnemarExactP(aOnly, bOnly),
        mcnemarChi2(aOnly, bOnly),
        mcnemarChi2P(aOnly, bOnly));
  }

  /**
   * The {@link #LEVEL} percentile interval of {@code mean(B) - mean(A)} over {@code resamples}
   * paired resamples of the examples, drawn with {@link SplittableRandom}{@code (seed)}.
   */
  static double[] bootstrapInterval(boolean[] a, boolean[] b, int resamples, long seed) {
    if (resamples < 1) {
      throw new IllegalArgumentException(
          "compare: bootstrap resamples must be >= 1, found " + resamples);
    }
    int n = a.length;
    int[] d = new int[n];
    for (int i = 0; i < n; i++) {
      d[i] = (b[i] ? 1 : 0) - (a[i] ? 1 : 0);
    }
    SplittableRandom random = new SplittableRandom(seed);
    double[] diffs = new double[resamples];
    for (int r = 0; r < resamples; r++) {
      long sum = 0;
      for (int i = 0; i < n; i++) {
        sum += d[random.nextInt(n)];
      }
      diffs[r] = (double) sum / n;
    }
    Arrays.sort(diffs);
    double tail = (1 - LEVEL) / 2;
    return new double[] {quantile(diffs, tail), quantile(diffs, 1 - tail)};
  }

  /**
   * The {@code q} quantile of sorted values by linear interpolation between order statistics
   * (Hyndman and Fan's type 7, the default of R and NumPy): position {@code (n − 1) q}; Commons
   * Math's {@link Percentile} with {@link Percentile.EstimationType#R_7}, which takes q in (0, 1],
   * so q = 0 is the smallest value here.
   */
  static double quantile(double[] sorted, double q) {
    if (sorted.length == 0 || !(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException(
          "quantile: need values and q in [0, 1], found " + sorted.length + " values, q = " + q);
    }
    return q == 0
        ? sorted[0]
        : new Percentile()
            .withEstimationType(Percentile.EstimationType.R_7)
            .evaluate(sorted, 100 * q);
  }

  /**
   * Two-sided exact McNemar p-value for {@code b} and {@code c} discordant pairs. Not Commons
   * Math's {@code BinomialTest} (TWO_SIDED): in 3.6.1 it compares tail probabilities with {@code
   * ==}, so at p = 1/2 rounding makes it add one tail only (b = 3, c = 10 gives 0.0574 instead of 2
   * * 378 / 8192 = 0.0923) or more than 1 (b = c = 1 gives 1.5).
   */
  static double mcnemarExactP(int b, int c) {
    checkCounts(b, c);
    if (b + c == 0) {
      return 1.0;
    }
    double tail = new BinomialDistribution(null, b + c, 0.5).cumulativeProbability(Math.min(b, c));
    return Math.min(1.0, 2 * tail);
  }

  /** Continuity-corrected McNemar statistic; 0 when there is no discordant pair. */
  static double mcnemarChi2(int b, int c) {
    checkCounts(b, c);
    if (b + c == 0) {
      return 0;
    }
    double num = Math.max(0, Math.abs(b - c) - 1.0);
    return num * num / (b + c);
  }

  /** p-value of {@link #mcnemarChi2} under χ² with 1 degree of freedom. */
  static double mcnemarChi2P(int b, int c) {
    double chi2 = mcnemarChi2(b, c);
    // the upper tail of χ²(k) is Q(k/2, x/2); computed directly it keeps its precision when tiny
    return chi2 == 0 ? 1.0 : Gamma.regularizedGammaQ(0.5, chi2 / 2);
  }

  private static void checkCounts(int b, int c) {
    if (b < 0 || c < 0) {
      throw new IllegalArgumentException(
          "McNemar: discordant counts must be >= 0, found b = " + b + ", c = " + c);
    }
  }
}
