package io.adahit.server.experiments;

import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.stat.StatUtils;
import org.apache.commons.math3.stat.descriptive.StatisticalSummaryValues;
import org.apache.commons.math3.stat.inference.TTest;
import org.apache.commons.math3.stat.interval.ConfidenceInterval;
import org.apache.commons.math3.stat.interval.WilsonScoreInterval;

/**
 * The statistics of an online A/B report, as in the textbooks. The Wilson interval, Welch's t-test,
 * means and variances are Apache Commons Math's ({@link WilsonScoreInterval}, {@link TTest}, {@link
 * StatUtils}); the two-proportion z-test and the sample sizes, which it lacks, are written here on
 * its normal distribution.
 *
 * <ul>
 *   <li>Wilson score interval of a proportion (Wilson 1927; Newcombe 1998, method 3): {@code (p +
 *       z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)}.
 *   <li>Two-proportion z-test with the pooled proportion: {@code z = (p2 - p1) / sqrt(p(1-p)(1/n1 +
 *       1/n2))}, two-sided p.
 *   <li>Welch's t-test (unequal variances) with the Welch–Satterthwaite degrees of freedom,
 *       two-sided p from Student's t ({@link
 *       TTest#tTest(org.apache.commons.math3.stat.descriptive.StatisticalSummary,
 *       org.apache.commons.math3.stat.descriptive.StatisticalSummary)}).
 *   <li>Sample size per arm, two-sided alpha and power (Fleiss, without continuity correction):
 *       proportions {@code n = (z_a·sqrt(2·pbar·(1-pbar)) + z_b·sqrt(p1(1-p1) + p2(1-p2)))² /
 *       (p1-p2)²}; means {@code n = (z_a + z_b)²·(s1² + s2²) / d²}.
 * </ul>
 *
 * <pre>{@code
 * AbStatistics.Interval ci = AbStatistics.wilson(81, 263, 0.95);          // [0.2553, 0.3662]
 * AbStatistics.Test t = AbStatistics.twoProportion(45, 100, 60, 100);      // z, two-sided p
 * double n = AbStatistics.sampleSizeProportions(0.5, 0.6, 0.05, 0.8);      // 387.3 per arm
 * }</pre>
 */
public final class AbStatistics {

  private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);

  private AbStatistics() {}

  /** A confidence interval. */
  public record Interval(double low, double high) {}

  /**
   * A test's statistic and two-sided p-value.
   *
   * @param df degrees of freedom (t-tests), NaN for z-tests
   */
  public record Test(double statistic, double df, double p) {}

  /**
   * Wilson score interval of {@code successes / n}, clipped to [0, 1].
   *
   * @throws IllegalStateException unless 0 <= successes <= n and n >= 1
   * @throws ArithmeticException if {@code n} exceeds {@link Integer#MAX_VALUE} (the library counts
   *     in ints)
   */
  public static Interval wilson(long successes, long n, double level) {
    if (n < 1 || successes < 0 || successes > n) {
      throw new IllegalStateException(
          "wilson: need 0 <= successes <= n and n >= 1, found " + successes + " of " + n);
    }
    ConfidenceInterval ci =
        new WilsonScoreInterval().createInterval(Math.toIntExact(n), (int) successes, level);
    return new Interval(Math.max(0, ci.getLowerBound()), Math.min(1, ci.getUpperBound()));
  }

  /**
   * Two-proportion z-test of {@code x2/n2 - x1/n1} with the pooled proportion, two-sided.
   *
   * @return NaN statistic and p when a sample is empty or every outcome is the same
   */
  public static Test twoProportion(long x1, long n1, long x2, long n2) {
    if (n1 < 1 || n2 < 1) {
      return new Test(Double.NaN, Double.NaN, Double.NaN);
    }
    double p1 = (double) x1 / n1;
    double p2 = (double) x2 / n2;
    double pooled = (double) (x1 + x2) / (n1 + n2);
    double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2));
    if (se == 0) {
      return new Test(Double.NaN, Double.NaN, Double.NaN);
    }
    double z = (p2 - p1) / se;
    return new Test(z, Double.NaN, 2 * NORMAL.cumulativeProbability(-Math.abs(z)));
  }

  /**
   * Welch's t-test of {@code mean2 - mean1} from summary statistics (sample variances, n - 1).
   *
   * @return NaN statistic and p when a sample has fewer than 2 values or both variances are 0
   */
  public static Test welch(double mean1, double var1, long n1, double mean2, double var2, long n2) {
    if (n1 < 2 || n2 < 2 || var1 / n1 + var2 / n2 == 0) {
      return new Test(Double.NaN, Double.NaN, Double.NaN);
    }
    StatisticalSummaryValues first =
        new StatisticalSummaryValues(mean1, var1, n1, Double.NaN, Double.NaN, Double.NaN);
    StatisticalSummaryValues second =
        new StatisticalSummaryValues(mean2, var2, n2, Double.NaN, Double.NaN, Double.NaN);
    WelchTTest test = new WelchTTest();
    return new Test(
        test.t(second, first), test.welchDf(var2, var1, n2, n1), test.tTest(second, first));
  }

  /** Welch's t-test of two samples' means ({@code b} minus {@code a}), sample variances (n - 1). */
  public static Test welch(double[] a, double[] b) {
    return welch(
        StatUtils.mean(a),
        StatUtils.variance(a),
        a.length,
        StatUtils.mean(b),
        StatUtils.variance(b),
        b.length);
  }

  /**
   * Observations per arm for a two-sided test at {@code alpha} to detect {@code p1} vs {@code p2}
   * with {@code power}; NaN when {@code p1 == p2}.
   */
  public static double sampleSizeProportions(double p1, double p2, double alpha, double power) {
    if (p1 == p2) {
      return Double.NaN;
    }
    double za = NORMAL.inverseCumulativeProbability(1 - alpha / 2);
    double zb = NORMAL.inverseCumulativeProbability(power);
    double pbar = (p1 + p2) / 2;
    double num =
        za * Math.sqrt(2 * pbar * (1 - pbar)) + zb * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
    return num * num / ((p1 - p2) * (p1 - p2));
  }

  /**
   * Observations per arm for a two-sided test at {@code alpha} to detect a difference {@code diff}
   * of means with standard deviations {@code sd1}, {@code sd2}, with {@code power}; NaN when diff
   * is 0.
   */
  public static double sampleSizeMeans(
      double diff, double sd1, double sd2, double alpha, double power) {
    if (diff == 0) {
      return Double.NaN;
    }
    double za = NORMAL.inverseCumulativeProbability(1 - alpha / 2);
    double zb = NORMAL.inverseCumulativeProbability(power);
    return (za + zb) * (za + zb) * (sd1 * sd1 + sd2 * sd2) / (diff * diff);
  }

  /**
   * Exposes the Welch–Satterthwaite degrees of freedom that {@link TTest} computes for its p-value.
   */
  private static final class WelchTTest extends TTest {
    double welchDf(double v1, double v2, double n1, double n2) {
      return df(v1, v2, n1, n2);
    }
  }
}
