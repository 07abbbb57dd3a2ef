package io.adahit.eval.cli;

import io.adahit.agents.training.BiEncoderTrainer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/** The training run's progress: a bar over the layer cache, then one over steps with the loss. */
final class TrainProgress implements BiEncoderTrainer.Listener, AutoCloseable {

  private final long totalSteps;
  private final PrintStream err;
  private ProgressReporter cacheBar;
  private String cacheTask;
  private ProgressReporter stepBar;
  private int cacheDone;

  TrainProgress(long totalSteps, PrintStream err) {
    this.totalSteps = totalSteps;
    this.err = err;
  }

  @Override
  public void onCache(String task, int done, int total) {
    if (!task.equals(cacheTask)) {
      closeCache();
      cacheTask = task;
      cacheBar = new ProgressReporter("cache " + task, total, "texts", err);
      cacheDone = 0;
    }
    cacheBar.advance(done - cacheDone);
    cacheDone = done;
  }

  @Override
  public void onStep(BiEncoderTrainer.StepReport r) {
    if (stepBar == null) {
      closeCache();
      stepBar = new ProgressReporter("train", totalSteps, "steps", err);
      stepBar.stepTo(r.step() - 1);
    }
    stepBar.advance(1);
    stepBar.message(String.format("%s loss %.3f lr %.2e %.0f pairs/s", r.task(), r.loss(), r.learningRate(),
        r.examplesPerSecond()));
  }

  @Override
  public void onValidation(long step, Map<String, Double> hitsAt1) {
    err.printf("%nstep %d: validation hits@1 %s%n", step, hitsAt1);
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
