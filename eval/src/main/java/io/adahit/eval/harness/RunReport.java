package io.adahit.eval.harness;

import io.adahit.agents.backbone.EncoderWork;
import io.adahit.eval.metrics.MultiTaskReport;
import io.adahit.eval.metrics.Report;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code "report"} of an eval_model run (or of merged shards): ParlAI's metrics ({@link
 * MultiTaskReport}), then the contamination verdict when an adapter was evaluated, then a router's
 * routing counts and accuracy ({@link RoutingCounts}), then wall time, examples/s, cache use and
 * the backbone's tokens (real, padded, real per second) per task.
 *
 * <pre>{@code
 * Map<String, Object> report = RunReport.toMap(results, totalSeconds, true, List.of());
 * // {exs=..., hits@1=..., ..., contaminated=false, wall_time_s=..., exs_per_s=..., ...}
 * }</pre>
 */
public final class RunReport {

  public static final String CONTAMINATED = "contaminated";
  public static final String CONTAMINATION = "contamination";
  public static final String ROUTED = "routed";
  public static final String ROUTING_ACCURACY = "routing_accuracy";
  public static final String ENCODED_TOKENS = "encoded_tokens";
  public static final String PADDED_TOKENS = "padded_tokens";

  private RunReport() {}

  /** The per-task reports, in task order. */
  public static Map<String, Report> reports(List<TaskResult> results) {
    Map<String, Report> out = new LinkedHashMap<>();
    results.forEach(r -> out.put(r.task(), r.report()));
    return out;
  }

  /**
   * @param checked whether training files were checked (an adapter was evaluated); without an
   *     adapter no {@code contaminated} key is written
   * @param contamination the findings (see {@link Contamination#toMap()}); non-empty makes {@code
   *     "contaminated": true}
   */
  public static Map<String, Object> toMap(
      List<TaskResult> results,
      double totalSeconds,
      boolean checked,
      List<Map<String, Object>> contamination) {
    Map<String, Object> out = new LinkedHashMap<>(new MultiTaskReport(reports(results)).toMap());
    if (checked || !contamination.isEmpty()) {
      out.put(CONTAMINATED, !contamination.isEmpty());
      if (!contamination.isEmpty()) {
        out.put(CONTAMINATION, contamination);
      }
    }
    putRouting(out, results);
    for (TaskResult r : results) {
      String prefix = results.size() > 1 ? r.task() + "/" : "";
      out.put(prefix + "wall_time_s", round(r.wallSeconds()));
      out.put(prefix + "exs_per_s", round(r.examplesPerSecond()));
      out.put(
          prefix + "exps", round(r.examplesPerSecond())); // ParlAI's name for examples per second
      if (r.encodedTexts() >= 0) {
        out.put(prefix + "encoded_texts", r.encodedTexts());
        out.put(prefix + "cached_texts", r.cachedTexts());
      }
      if (r.work() != null) {
        putWork(out, prefix, r.work(), r.wallSeconds());
      }
    }
    out.put("total_wall_time_s", round(totalSeconds));
    if (results.size() > 1 && totalSeconds > 0) {
      out.put(
          "exps", round(results.stream().mapToLong(r -> r.report().exs()).sum() / totalSeconds));
    }
    if (results.size() > 1 && results.stream().allMatch(r -> r.work() != null)) {
      putWork(
          out,
          "total_",
          results.stream().map(TaskResult::work).reduce(EncoderWork.NONE, EncoderWork::plus),
          totalSeconds);
    }
    return out;
  }

  /**
   * The backbone's work: real and padded tokens through the encoder, and real tokens per second of
   * wall time (what to hold against the machine's roofline; a warm embedding cache encodes fewer
   * tokens in less time).
   */
  private static void putWork(
      Map<String, Object> out, String prefix, EncoderWork work, double seconds) {
    out.put(prefix + ENCODED_TOKENS, work.tokens());
    out.put(prefix + PADDED_TOKENS, work.paddedTokens());
    out.put(prefix + "tokens_per_s", round(work.tokensPerSecond(seconds)));
  }

  /**
   * A router's counts: per task {@code routed} (examples per chosen skill) and, when the task is
   * one of the router's skills, {@code routing_accuracy}; with several tasks also the top-level
   * {@code routed} (summed) and {@code routing_accuracy} (macro-averaged, as ParlAI's metrics).
   */
  private static void putRouting(Map<String, Object> out, List<TaskResult> results) {
    if (results.stream().allMatch(r -> r.routing() == null)) {
      return;
    }
    if (results.size() > 1) {
      RoutingCounts sum = null;
      double accuracy = 0;
      int withAccuracy = 0;
      for (TaskResult r : results) {
        if (r.routing() != null) {
          sum = sum == null ? r.routing() : sum.plus(r.routing());
          var a = r.routing().accuracy(r.task());
          if (a.isPresent()) {
            accuracy += a.getAsDouble();
            withAccuracy++;
          }
        }
      }
      if (withAccuracy > 0) {
        out.put(ROUTING_ACCURACY, accuracy / withAccuracy);
      }
      out.put(ROUTED, sum.routed());
    }
    for (TaskResult r : results) {
      if (r.routing() == null) {
        continue;
      }
      String prefix = results.size() > 1 ? r.task() + "/" : "";
      r.routing().accuracy(r.task()).ifPresent(a -> out.put(prefix + ROUTING_ACCURACY, a));
      out.put(prefix + ROUTED, r.routing().routed());
    }
  }

  static double round(double x) {
    return Math.round(x * 1000) / 1000.0;
  }
}
