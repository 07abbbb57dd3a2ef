package io.adahit.app.cli;

import io.adahit.agents.training.BiEncoderTrainer;
import io.adahit.server.progress.ProgressMode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The training run's progress: one {@link ProgressReporter} over the layer cache, then one over
 * steps with the task, loss, learning rate ({@code %.2e}, e.g. {@code 8.00e-04}) and pairs/s. In
 * {@link ProgressMode#PLAIN} mode validation results are timestamped lines too.
 */
final class TrainProgress implements BiEncoderTrainer.Listener, AutoCloseable {

  private final long totalSteps;
  private final PrintStream err;
  private final ProgressMode mode;
  private final Function<String, ProgressReporter> reporters;
  private final InstantSource clock;
  private ProgressReporter cacheBar;
  private String cacheTask;
  private ProgressReporter stepBar;
  private int cacheDone;

  TrainProgress(long totalSteps, PrintStream err) {
    this(totalSteps, err, ProgressMode.detect(), null, InstantSource.system());
  }

  /**
   * @param reporters makes the reporter for a task name (label), null for the default per mode
   */
  TrainProgress(
      long totalSteps,
      PrintStream err,
      ProgressMode mode,
      Function<String, ProgressReporter> reporters,
      InstantSource clock) {
    this.totalSteps = totalSteps;
    this.err = err;
    this.mode = mode;
    this.reporters = reporters;
    this.clock = clock;
  }

  private ProgressReporter reporter(String label, long total, String unit) {
    return reporters != null
        ? reporters.apply(label)
        : new ProgressReporter(label, total, unit, err, mode);
  }

  @Override
  public void onCache(String task, int done, int total) {
    if (!task.equals(cacheTask)) {
      closeCache();
      cacheTask = task;
      cacheBar = reporter("cache " + task, total, "texts");
      cacheDone = 0;
    }
    cacheBar.advance(done - cacheDone);
    cacheDone = done;
  }

  @Override
  public void onStep(BiEncoderTrainer.StepReport r) {
    if (stepBar == null) {
      closeCache();
      stepBar = reporter("train", totalSteps, "steps");
      stepBar.stepTo(r.step() - 1);
    }
    stepBar.message(
        String.format(
            Locale.ROOT,
            "%s loss %.3f lr %.2e %.0f pairs/s",
            r.task(),
            r.loss(),
            r.learningRate(),
            r.examplesPerSecond()));
    stepBar.advance(1);
  }

  @Override
  public void onValidation(long step, Map<String, Double> hitsAt1) {
    if (mode == ProgressMode.PLAIN) {
      err.printf(
          "%s train: step %d: validation hits@1 %s%n",
          clock.instant().truncatedTo(ChronoUnit.SECONDS), step, hitsAt1);
    } else {
      err.printf("%nstep %d: validation hits@1 %s%n", step, hitsAt1);
    }
  }

  @Override
  public void onBatchPlan(String task, long contextTokens, long padded, long paddedRandom) {
    closeCache();
    String what =
        String.format(
            Locale.ROOT,
            "%s: an epoch's contexts hold %,d word pieces; its batches pad them to %,d (random batches: %,d, %.2fx)",
            task,
            contextTokens,
            padded,
            paddedRandom,
            (double) paddedRandom / Math.max(1, padded));
    err.println(
        mode == ProgressMode.PLAIN
            ? clock.instant().truncatedTo(ChronoUnit.SECONDS) + " train: " + what
            : what);
  }

  @Override
  public void onCheckpoint(long step, Path dir) {
    // quiet: checkpoints are frequent; the final line says where they are
  }

  private void closeCache() {
    if (cacheBar != null) {
      cacheBar.close();
      cacheBar = null;
    }
  }

  @Override
  public void close() {
    closeCache();
    if (stepBar != null) {
      stepBar.close();
    }
  }
}
