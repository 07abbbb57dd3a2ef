package io.adahit.agents.backbone;

import java.util.Map;

/**
 * The DJL engine settings the project runs with, for an entry point to apply before anything starts
 * DJL's engine (it reads them once, when it loads): never download anything ({@code
 * ai.djl.offline=true}: DJL fails fast instead of fetching a native library, and skips its usage
 * probe) and one inter-op thread ({@code ai.djl.pytorch.num_interop_threads=1}). A value the
 * launcher already set ({@code -D...}, as {@code bin/adahit}, the container entry point and the
 * Maven test runs do) is kept. PyTorch's intra-op thread count is left to the launcher ({@code
 * -Dai.djl.pytorch.num_threads}).
 *
 * <p>{@link Backbone} sets nothing itself: these are process-wide system properties, so the
 * process's entry point decides.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *   EngineDefaults.applyUnlessSet();
 *   ...
 * }
 * }</pre>
 */
public final class EngineDefaults {

  /** Property → value applied by {@link #applyUnlessSet()}. */
  public static final Map<String, String> PROPERTIES =
      Map.of(
          "ai.djl.offline", "true",
          "ai.djl.pytorch.num_interop_threads", "1");

  private EngineDefaults() {}

  /** Sets each of {@link #PROPERTIES} that is not set yet as a system property. */
  public static void applyUnlessSet() {
    PROPERTIES.forEach(
        (key, value) -> {
          if (System.getProperty(key) == null) {
            System.setProperty(key, value);
          }
        });
  }
}
