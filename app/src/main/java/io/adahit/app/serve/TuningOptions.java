package io.adahit.app.serve;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Server settings that {@code serve} and {@code bench-server} both take: the scheduler's batch
 * size, wait and inference loops, and any config key by name ({@code --set}). A picocli mixin;
 * {@link #applyTo} writes them as config overrides, the named flags over {@code --set}.
 *
 * <pre>{@code
 * @Mixin TuningOptions tuning;
 * Map<String, String> o = new HashMap<>();
 * tuning.applyTo(o);                 // e.g. batching.maxBatch=16, agent.textTruncate=128
 * ServerConfig c = ConfigLoader.load(null, o);
 * }</pre>
 */
public final class TuningOptions {

  @Option(names = "--max-batch", description = "Turns per forward pass (default 32).")
  Integer maxBatch;

  @Option(names = "--max-wait-ms", description = "How long a batch waits to fill (default 0).")
  Integer maxWait;

  @Option(
      names = "--workers",
      description =
          "Inference loops side by side, each with engine threads / workers PyTorch threads"
              + " (default 0: one per engine thread).")
  Integer workers;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Any config key, dotted (e.g. agent.textTruncate=128; repeatable).")
  Map<String, String> set = new LinkedHashMap<>();

  /** Puts the overrides into {@code o}: every {@code --set}, then the named flags given. */
  public void applyTo(Map<String, String> o) {
    o.putAll(set);
    if (maxBatch != null) {
      o.put("batching.maxBatch", maxBatch.toString());
    }
    if (maxWait != null) {
      o.put("batching.maxWaitMillis", maxWait.toString());
    }
    if (workers != null) {
      o.put("batching.workers", workers.toString());
    }
  }
}
