package io.adahit.agents.backbone;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the native heap's free memory back to the kernel: glibc's {@code malloc_trim(0)}, which
 * releases the free pages of every arena, also those between blocks in use. PyTorch allocates each
 * tensor from the C heap, and the CPU tuning library makes glibc keep freed memory for reuse (see
 * {@code agents/src/main/c/cpu_tuning.c}): after a start that encodes many candidate pools, the
 * encoder's freed activations stay resident between the pools (measured: ~8 MB per loaded skill).
 * Callers trim once such a burst of work is over, e.g. after loading skills; the next allocations
 * fault their pages in again.
 *
 * <pre>{@code
 * SkillCatalog catalog = SkillCatalog.load(...);
 * NativeHeap.trim();
 * }</pre>
 */
public final class NativeHeap {

  private static final Logger LOG = LoggerFactory.getLogger(NativeHeap.class);

  /** glibc's allocator entry point used here. */
  interface LibC extends Library {
    int malloc_trim(long pad);
  }

  private NativeHeap() {}

  /**
   * Releases free native heap memory; does nothing off Linux or without glibc.
   *
   * @return true if glibc released some memory
   */
  public static boolean trim() {
    if (!System.getProperty("os.name", "").startsWith("Linux")) {
      return false;
    }
    try {
      LibC c = Native.load("c", LibC.class);
      return c.malloc_trim(0) == 1;
    } catch (UnsatisfiedLinkError | RuntimeException e) { // musl has no malloc_trim
      LOG.debug("malloc_trim unavailable: {}", e.toString());
      return false;
    }
  }
}
