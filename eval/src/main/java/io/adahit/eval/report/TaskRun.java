package io.adahit.eval.report;

import io.adahit.eval.harness.RoutingCounts;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One task's part of a run report: its metrics, how a router sent its examples, its timing, the
 * embedding cache's and the backbone's work, and the counts its metrics are made of. A null field
 * is one the report does not record (a run without router, cache or local backbone; a report file
 * of an older run or of ParlAI).
 *
 * <pre>{@code
 * TaskRun convai2 = results.tasks().get(0);
 * convai2.metrics().hits1();   // 0.87
 * convai2.wallSeconds();       // 197.195
 * }</pre>
 *
 * @param task task name
 * @param metrics ParlAI's metrics
 * @param routing where a router sent the examples, or null
 * @param wallSeconds wall time (rounded to ms), or null
 * @param exsPerSecond examples per second (3 decimals), or null
 * @param exps the same number under ParlAI's name, or null (reports of older runs lack it)
 * @param encodedTexts texts encoded (cache misses), or null without an embedding cache
 * @param cachedTexts texts served from the embedding cache, or null without one
 * @param tokens what the backbone encoded, or null when it ran elsewhere
 * @param counts what the metrics are computed from, or null (reports of older runs, of ParlAI)
 */
public record TaskRun(
    String task,
    Metrics metrics,
    Routing routing,
    Double wallSeconds,
    Double exsPerSecond,
    Double exps,
    Long encodedTexts,
    Long cachedTexts,
    Tokens tokens,
    TaskCounts counts) {

  public TaskRun {
    if (task == null || task.isEmpty() || task.contains("/")) {
      throw new IllegalArgumentException(
          "task names must be non-empty and contain no '/', found '" + task + "'");
    }
    if (metrics == null) {
      throw new IllegalArgumentException("task '" + task + "': metrics are required");
    }
  }

  /**
   * The backbone's work: real and padded tokens, and real tokens per second of wall time.
   *
   * @param encoded real tokens through the encoder
   * @param padded tokens with padding
   * @param perSecond real tokens per second (3 decimals)
   */
  public record Tokens(long encoded, long padded, double perSecond) {}

  /**
   * Where a router sent examples: per skill a count (every router skill listed), and the share it
   * sent to the right skill when that is known.
   *
   * @param accuracy routing accuracy; null when the task is not one of the router's skills
   * @param routed examples per skill, in the router's order
   */
  public record Routing(Double accuracy, Map<String, Long> routed) {

    public Routing {
      routed = Collections.unmodifiableMap(new LinkedHashMap<>(routed));
    }

    /** The counts, to add up with others. */
    public RoutingCounts counts() {
      return new RoutingCounts(List.copyOf(routed.keySet()), routed);
    }
  }
}
