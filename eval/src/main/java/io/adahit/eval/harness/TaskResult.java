package io.adahit.eval.harness;

import io.adahit.agents.backbone.EncoderWork;
import io.adahit.eval.metrics.Report;

/**
 * One task's evaluation: its metrics and how long it took.
 *
 * @param task task name
 * @param report hits@k, mrr, rank, exs
 * @param wallSeconds wall time of the ranking, context and candidate encoding included
 * @param encodedTexts texts that had to be encoded (cache misses)
 * @param cachedTexts texts served from the embedding cache
 * @param routing where a router sent the task's examples; null when no router was evaluated
 * @param work what the backbone encoded for the task (tokens, for tokens/s); null when it ran
 *     elsewhere (a server)
 */
public record TaskResult(
    String task,
    Report report,
    double wallSeconds,
    long encodedTexts,
    long cachedTexts,
    RoutingCounts routing,
    EncoderWork work) {

  /** A result without routing or encoder counts. */
  public TaskResult(
      String task, Report report, double wallSeconds, long encodedTexts, long cachedTexts) {
    this(task, report, wallSeconds, encodedTexts, cachedTexts, null, null);
  }

  public double examplesPerSecond() {
    return wallSeconds > 0 ? report.exs() / wallSeconds : 0;
  }
}
