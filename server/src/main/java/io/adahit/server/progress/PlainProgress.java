package io.adahit.server.progress;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Progress for logs: a line when the task starts, then one line per {@code interval} (from a timer,
 * so a stalled job still shows it is alive, and on updates once the interval has passed), and a
 * last line when it closes. Each line is complete, timestamped (UTC, ISO-8601) and never cut or
 * redrawn, e.g.
 *
 * <pre>
 * 2026-12-04T19:30:00Z train: 1200/5000 steps (24.0%), 3.21 steps/s, elapsed 6m14s, ETA 19m44s | convai2 loss 1.234 lr 8.00e-04 512 pairs/s
 * </pre>
 *
 * Thread-safe: updates may come from any thread.
 *
 * <pre>{@code
 * try (PlainProgress p = PlainProgress.start("eval convai2", 7801, "texts", System.err)) {
 *   p.stepBy(32);
 *   p.message("loss 1.23");
 * }
 * }</pre>
 */
public final class PlainProgress implements AutoCloseable {

  /** The default interval between lines. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private final String task;
  private final String unit;
  private final Consumer<String> out;
  private final InstantSource clock;
  private final Duration interval;
  private final Instant start;
  private final ScheduledExecutorService timer;
  private Instant lastLine;
  private long total;
  private long done;
  private long startDone;
  private String message = "";
  private boolean closed;

  /**
   * @param total expected units, or 0 or less when unknown (no percentage or ETA then)
   * @param out receives each line (without a line break)
   * @param timer whether a daemon timer prints a line every interval even without updates
   */
  public PlainProgress(
      String task,
      long total,
      String unit,
      Consumer<String> out,
      Duration interval,
      InstantSource clock,
      boolean timer) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("progress interval must be > 0, found " + interval);
    }
    this.task = task;
    this.total = total;
    this.unit = unit;
    this.out = out;
    this.interval = interval;
    this.clock = clock;
    this.start = clock.instant();
    this.lastLine = start;
    out.accept(
        TIME.format(start)
            + " "
            + task
            + ": started"
            + (total > 0 ? ", " + total + " " + unit : ""));
    if (timer) {
      this.timer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "progress " + task);
                t.setDaemon(true);
                return t;
              });
      long ms = interval.toMillis();
      this.timer.scheduleAtFixedRate(this::tick, ms, ms, TimeUnit.MILLISECONDS);
    } else {
      this.timer = null;
    }
  }

  /** Lines to {@code err} every {@link #DEFAULT_INTERVAL}, on the system clock, with a timer. */
  public static PlainProgress start(String task, long total, String unit, PrintStream err) {
    return new PlainProgress(
        task,
        total,
        unit,
        line -> {
          err.println(line);
          err.flush();
        },
        DEFAULT_INTERVAL,
        InstantSource.system(),
        true);
  }

  /** {@code n} more units done. */
  public synchronized void stepBy(long n) {
    done += n;
    tick();
  }

  /**
   * Jumps to {@code value} units done, e.g. a resumed run's step; a jump before any other progress
   * is not counted in the rate.
   */
  public synchronized void stepTo(long value) {
    if (done == 0 && startDone == 0) {
      startDone = value;
    }
    done = value;
    tick();
  }

  /** A new expected total. */
  public synchronized void maxHint(long newTotal) {
    total = newTotal;
  }

  /** Text shown at the end of each line, e.g. the current loss (shown whole, however long). */
  public synchronized void message(String text) {
    message = text == null ? "" : text;
  }

  /** Prints a line if the interval has passed since the last one. */
  synchronized void tick() {
    if (closed) {
      return;
    }
    Instant now = clock.instant();
    if (Duration.between(lastLine, now).compareTo(interval) >= 0) {
      emit(now, false);
    }
  }

  private void emit(Instant now, boolean last) {
    lastLine = now;
    out.accept(line(now, last));
  }

  /** The line for time {@code now}. */
  synchronized String line(Instant now, boolean last) {
    StringBuilder b = new StringBuilder(TIME.format(now)).append(' ').append(task).append(": ");
    b.append(done);
    if (total > 0) {
      b.append('/').append(total);
    }
    b.append(' ').append(unit);
    if (total > 0) {
      b.append(String.format(Locale.ROOT, " (%.1f%%)", 100.0 * done / total));
    }
    Duration elapsed = Duration.between(start, now);
    double seconds = elapsed.toMillis() / 1000.0;
    double rate = seconds > 0 ? (done - startDone) / seconds : 0;
    b.append(String.format(Locale.ROOT, ", %.2f %s/s, elapsed %s", rate, unit, human(elapsed)));
    if (last) {
      b.append(", done");
    } else if (total > 0 && rate > 0 && done < total) {
      b.append(", ETA ").append(human(Duration.ofMillis((long) ((total - done) / rate * 1000))));
    }
    if (!message.isEmpty()) {
      b.append(" | ").append(message);
    }
    return b.toString();
  }

  /** {@code 1h02m03s}, {@code 6m14s}, {@code 9s}. */
  static String human(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s >= 3600) {
      return String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60);
    }
    return s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
  }

  /** Prints the last line (with the totals) and stops the timer; later calls do nothing. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      emit(clock.instant(), true);
      closed = true;
    }
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
