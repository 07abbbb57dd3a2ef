package io.adahit.agents.backbone;

import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.CountDownLatch;

/**
 * PyTorch's intra-op thread count (the threads one operation, e.g. a matrix product, is split
 * over). PyTorch keeps it per thread: a thread takes the process-wide value at its first engine
 * call, and {@link #useOnThisThread} changes the calling thread's own (and the process-wide value
 * that threads new to the engine take from then on). So several inference loops can each run their
 * forward passes on fewer threads, side by side, while the launcher's setting ({@code
 * -Dai.djl.pytorch.num_threads}) stays what a single loop or a training run uses. Call only once
 * the engine is loaded (a {@link Backbone} exists).
 *
 * <pre>{@code
 * int cores = EngineThreads.current();        // e.g. 2, from -Dai.djl.pytorch.num_threads
 * executor.submit(() -> { EngineThreads.useOnThisThread(1); loop(); });
 * }</pre>
 */
public final class EngineThreads {

  private EngineThreads() {}

  /** The calling thread's intra-op thread count. */
  public static int current() {
    return JniUtils.getNumThreads();
  }

  /**
   * Sets the calling thread's intra-op thread count.
   *
   * @throws IllegalArgumentException if {@code threads < 1}
   */
  public static void useOnThisThread(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("engine threads must be >= 1, found " + threads);
    }
    // a thread's first engine call sets its count from the process-wide one: make that call
    // first, or it would undo this setting later
    JniUtils.getNumThreads();
    JniUtils.setNumThreads(threads);
  }

  /**
   * Once {@code set} reaches zero (every thread that calls {@link #useOnThisThread} has done so),
   * makes {@code threads} the process-wide count again, from a daemon thread of its own, so that
   * threads new to the engine afterwards take it instead of the last per-thread setting.
   */
  public static void restoreDefaultAfter(CountDownLatch set, int threads) {
    Thread restore =
        new Thread(
            () -> {
              try {
                set.await();
                useOnThisThread(threads);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "adahit-engine-threads");
    restore.setDaemon(true);
    restore.start();
  }
}
