package io.adahit.app.cli;

import io.adahit.eval.harness.Evaluator;
import io.adahit.server.progress.PlainProgress;
import io.adahit.server.progress.ProgressMode;
import java.io.PrintStream;
import java.time.temporal.ChronoUnit;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a long job on stderr ({@link ProgressMode}): on an interactive terminal an animated
 * bar with units/s and ETA; elsewhere (CI, nohup, containers, pipes) a {@link PlainProgress}: a
 * plain, timestamped, never-truncated line every 10 s and at the end.
 */
final class ProgressReporter implements Evaluator.Progress, AutoCloseable {

  private final ProgressBar bar;
  private final PlainProgress plain;

  ProgressReporter(String task, long total, String unit, PrintStream err) {
    this(task, total, unit, err, ProgressMode.detect());
  }

  ProgressReporter(String task, long total, String unit, PrintStream err, ProgressMode mode) {
    if (mode == ProgressMode.PLAIN) {
      this.plain = PlainProgress.start(task, total, unit, err);
      this.bar = null;
    } else {
      this.plain = null;
      this.bar =
          new ProgressBarBuilder()
              .setTaskName(task)
              .setInitialMax(total)
              .setUnit(" " + unit, 1)
              .showSpeed()
              .setSpeedUnit(ChronoUnit.SECONDS)
              .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
              .setUpdateIntervalMillis(500)
              .setConsumer(new ConsoleProgressBarConsumer(err))
              .build();
    }
  }

  /** Plain lines through {@code plain} (tests: a fake clock, no timer). */
  ProgressReporter(PlainProgress plain) {
    this.plain = plain;
    this.bar = null;
  }

  @Override
  public void advance(int n) {
    if (plain != null) {
      plain.stepBy(n);
    } else {
      bar.stepBy(n);
    }
  }

  @Override
  public void expect(long total) {
    if (plain != null) {
      plain.maxHint(total);
    } else {
      bar.maxHint(total);
    }
  }

  /** Jumps to {@code done} (e.g. a resumed run's step). */
  void stepTo(long done) {
    if (plain != null) {
      plain.stepTo(done);
    } else {
      bar.stepTo(done);
    }
  }

  /** Text shown after the bar, e.g. the current loss. */
  void message(String text) {
    if (plain != null) {
      plain.message(text);
    } else {
      bar.setExtraMessage(text);
    }
  }

  @Override
  public void close() {
    if (plain != null) {
      plain.close();
    } else {
      bar.close();
    }
  }
}
