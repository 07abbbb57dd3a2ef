package io.adahit.eval.cli;

import io.adahit.eval.harness.Evaluator;
import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a long job on stderr: an animated bar with examples/s and ETA on a terminal, a
 * plain log line every 10 s otherwise (CI logs, pipes).
 */
final class ProgressReporter implements Evaluator.Progress, AutoCloseable {

  private final ProgressBar bar;

  ProgressReporter(String task, long total, String unit, PrintStream err) {
    ProgressBarBuilder b = new ProgressBarBuilder()
        .setTaskName(task)
        .setInitialMax(total)
        .setUnit(" " + unit, 1)
        .showSpeed()
        .setSpeedUnit(java.time.temporal.ChronoUnit.SECONDS);
    if (System.console() != null) {
      b.setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUpdateIntervalMillis(500);
    } else {
      b.setConsumer(new DelegatingProgressBarConsumer(err::println)).setUpdateIntervalMillis(10_000);
    }
    this.bar = b.build();
  }

  @Override
  public void advance(int n) {
    bar.stepBy(n);
  }

  @Override
  public void expect(long total) {
    bar.maxHint(total);
  }

  /** Jumps to {@code done} (e.g. a resumed run's step). */
  void stepTo(long done) {
    bar.stepTo(done);
  }

  /** Text shown after the bar, e.g. the current loss. */
  void message(String text) {
    bar.setExtraMessage(text);
  }

  Duration elapsed() {
    return bar.getTotalElapsed();
  }

  @Override
  public void close() {
    bar.close();
  }
}
