package io.adahit.server;

import java.time.Duration;
import org.slf4j.Logger;

/**
 * The steps of a shutdown, run one after another against one deadline: each step is given what is
 * left of the grace period (or a part of it), so the whole shutdown ends within it, and a step that
 * throws is logged while the next one still runs (one broken part must not leave sockets open,
 * episodes unlogged or stores unclosed).
 *
 * <pre>{@code
 * ShutdownSteps steps = new ShutdownSteps(Duration.ofSeconds(20), LOG);
 * steps.run("drain", () -> scheduler.drain(steps.remaining(Duration.ofSeconds(3))));
 * steps.run("close log", log::close);   // runs even if the drain threw
 * }</pre>
 */
final class ShutdownSteps {

  private final long deadline;
  private final Logger log;
  private int failed;

  ShutdownSteps(Duration grace, Logger log) {
    this.deadline = System.nanoTime() + Math.max(0, grace.toNanos());
    this.log = log;
  }

  /**
   * Runs {@code step}; if it throws, logs that and returns (the caller goes on with the next step).
   */
  void run(String name, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException | Error e) {
      failed++;
      log.error("shutdown: '{}' failed; going on with the rest of the shutdown", name, e);
    }
  }

  /** Steps that threw so far. */
  int failed() {
    return failed;
  }

  /** The deadline, {@link System#nanoTime()} based, less {@code reserve} kept for later steps. */
  long deadline(Duration reserve) {
    return deadline - reserve.toNanos();
  }

  /** Time left (zero once the deadline passed). */
  Duration remaining() {
    return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
  }

  /** Time left less {@code reserve}, kept for later steps (zero if less is left). */
  Duration remaining(Duration reserve) {
    return Duration.ofNanos(Math.max(0, deadline - reserve.toNanos() - System.nanoTime()));
  }

  /** Time left, at most {@code cap}. */
  Duration atMost(Duration cap) {
    Duration left = remaining();
    return left.compareTo(cap) < 0 ? left : cap;
  }
}
