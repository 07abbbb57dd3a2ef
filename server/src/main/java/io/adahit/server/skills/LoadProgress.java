package io.adahit.server.skills;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of encoding a skill's candidate pool at startup: a terminal progress bar for the
 * {@code serve} command, nothing in tests.
 */
public interface LoadProgress {

  /** One running task: {@code step} as items complete, closed when done. */
  interface Task extends AutoCloseable {
    void step(long n);

    @Override
    void close();
  }

  Task start(String name, long total);

  /** Reports nothing. */
  LoadProgress NONE = (name, total) -> new Task() {
    @Override
    public void step(long n) {}

    @Override
    public void close() {}
  };

  /** A progress bar on {@code out} (stderr for the CLI). */
  static LoadProgress bar(PrintStream out) {
    return (name, total) -> {
      ProgressBar bar = new ProgressBarBuilder().setTaskName(name).setInitialMax(total)
          .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500)
          .setConsumer(new ConsoleProgressBarConsumer(out)).build();
      return new Task() {
        @Override
        public void step(long n) {
          bar.stepBy(n);
        }

        @Override
        public void close() {
          bar.close();
        }
      };
    };
  }
}
