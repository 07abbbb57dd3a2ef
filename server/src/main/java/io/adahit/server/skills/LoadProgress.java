package io.adahit.server.skills;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;

/**
 * Progress of encoding the skills' candidate pools at startup: a progress bar on a terminal, plain
 * timestamped log lines otherwise ({@code nohup}, containers, CI), the server's {@code /health}
 * progress, nothing in tests. {@link #planned} comes first, then one task per pool.
 */
public interface LoadProgress {

  /** Called once before the pools are encoded: how many pools and candidates there are in all. */
  default void planned(int pools, long candidates) {}

  /** One running task: {@code step} as items complete, closed when done. */
  interface Task extends AutoCloseable {
    void step(long n);

    @Override
    void close();
  }

  Task start(String name, long total);

  /** Reports nothing. */
  LoadProgress NONE =
      (name, total) ->
          new Task() {
            @Override
            public void step(long n) {}

            @Override
            public void close() {}
          };

  /** Both {@code a} and {@code b} hear everything. */
  static LoadProgress both(LoadProgress a, LoadProgress b) {
    return new LoadProgress() {
      @Override
      public void planned(int pools, long candidates) {
        a.planned(pools, candidates);
        b.planned(pools, candidates);
      }

      @Override
      public Task start(String name, long total) {
        Task x = a.start(name, total);
        Task y = b.start(name, total);
        return new Task() {
          @Override
          public void step(long n) {
            x.step(n);
            y.step(n);
          }

          @Override
          public void close() {
            x.close();
            y.close();
          }
        };
      }
    };
  }

  /**
   * Plain log lines for output that is not a terminal: a task that takes longer than {@code every}
   * logs how far it is at most once per {@code every}, and one line when done. No carriage returns,
   * no ANSI codes; the logger adds the timestamps.
   */
  static LoadProgress log(Logger log, Duration every) {
    return (name, total) ->
        new Task() {
          private final long began = System.nanoTime();
          private long last = began;
          private long done;

          @Override
          public void step(long n) {
            done += n;
            long now = System.nanoTime();
            if (now - last >= every.toNanos() && done < total) {
              last = now;
              log.info(
                  "{}: {}/{} candidates encoded ({}%, {} s)",
                  name,
                  done,
                  total,
                  done * 100 / Math.max(1, total),
                  TimeUnit.NANOSECONDS.toSeconds(now - began));
            }
          }

          @Override
          public void close() {
            long took = System.nanoTime() - began;
            if (took
                >= every
                    .toNanos()) { // a quick task (a pool read from the cache) is not worth a line
              log.info(
                  "{}: {} candidates ready in {} s",
                  name,
                  done,
                  String.format(java.util.Locale.ROOT, "%.1f", took / 1e9));
            }
          }
        };
  }

  /**
   * A progress bar on {@code out} when the process has a terminal, else {@link #log} lines every 10
   * s: a bar redrawn with carriage returns is unreadable in a log file.
   */
  static LoadProgress forConsole(PrintStream out, Logger log) {
    return isTerminal() ? bar(out) : log(log, Duration.ofSeconds(10));
  }

  /**
   * Whether the process talks to a terminal ({@code Console.isTerminal()} where the JDK has it,
   * 22+).
   */
  static boolean isTerminal() {
    java.io.Console c = System.console();
    if (c == null) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
    } catch (ReflectiveOperationException e) {
      return true; // before JDK 22 a console exists only on a terminal
    }
  }

  /** A progress bar on {@code out} (stderr for the CLI). */
  static LoadProgress bar(PrintStream out) {
    return (name, total) -> {
      ProgressBar bar =
          new ProgressBarBuilder()
              .setTaskName(name)
              .setInitialMax(total)
              .setStyle(ProgressBarStyle.ASCII)
              .setUpdateIntervalMillis(500)
              .setConsumer(new ConsoleProgressBarConsumer(out))
              .build();
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
