package io.adahit.agents.training;

/**
 * Seed 000's schedule: linear warm-up from 0 to the peak over the first {@code warmup} fraction of
 * the steps, then linear decay to 0 at the last step.
 *
 * @param peak peak learning rate
 * @param totalSteps steps of the whole run
 * @param warmupFraction share of the steps spent warming up, in [0, 1)
 */
public record LearningRateSchedule(double peak, long totalSteps, double warmupFraction) {

  public LearningRateSchedule {
    if (!(peak > 0) || totalSteps < 1 || !(warmupFraction >= 0 && warmupFraction < 1)) {
      throw new IllegalArgumentException(
          "schedule: need peak > 0, steps >= 1, warm-up in [0, 1), found "
              + peak
              + ", "
              + totalSteps
              + ", "
              + warmupFraction);
    }
  }

  /** The rate for 0-based step {@code t}. */
  public double rate(long t) {
    long warm = Math.round(totalSteps * warmupFraction);
    if (t < warm) {
      return peak * (t + 1) / warm;
    }
    long left = totalSteps - warm;
    return peak * Math.max(0, (double) (totalSteps - t) / left);
  }
}
