package io.adahit.eval.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Combines per-task {@link Report}s the way ParlAI's {@code aggregate_named_reports} does.
 *
 * <ul>
 *   <li>One task: its report unchanged, with no prefixes.
 *   <li>Several tasks: every task's metrics under {@code task/metric}; at the top level, counts
 *       ({@code exs}, {@code bad_candidates}) are summed and averages ({@code accuracy}, {@code
 *       hits@k}, {@code mrr}, {@code rank}) are macro-averaged: the plain mean of the per-task
 *       values over the tasks that report that metric (so f1 of a run merged with an older one is
 *       BST's alone).
 * </ul>
 *
 * Top-level keys come first, then each task's keys in the order the tasks were given. (ParlAI gives
 * a task with zero examples a 0.0 in the macro average; here a task with no value for a metric is
 * left out of that metric's mean.)
 *
 * <pre>{@code
 * Map<String, Report> byTask = new LinkedHashMap<>();
 * byTask.put("convai2", convai2Report);
 * byTask.put("blended_skill_talk", bstReport);
 * new MultiTaskReport(byTask).toMap();
 * // {exs=13452, accuracy=..., hits@1=(c+b)/2, ..., convai2/exs=7801, convai2/hits@1=c, ...}
 * }</pre>
 */
public final class MultiTaskReport {

  private final Map<String, Report> reports;

  /**
   * @param reportsByTask one report per task name, in display order; not empty
   */
  public MultiTaskReport(Map<String, Report> reportsByTask) {
    if (reportsByTask.isEmpty()) {
      throw new IllegalArgumentException("reportsByTask must name at least one task, found none");
    }
    for (String task : reportsByTask.keySet()) {
      if (task == null || task.isEmpty() || task.contains("/")) {
        throw new IllegalArgumentException(
            "task names must be non-empty and contain no '/', found '" + task + "'");
      }
    }
    this.reports = Collections.unmodifiableMap(new LinkedHashMap<>(reportsByTask));
  }

  /** The per-task reports, in order. */
  public Map<String, Report> reports() {
    return reports;
  }

  /** The combined report as ParlAI's flat map (see the class comment for the rules). */
  public Map<String, Number> toMap() {
    if (reports.size() == 1) {
      return reports.values().iterator().next().toMap();
    }
    Map<String, Number> out = new LinkedHashMap<>();
    long exs = 0;
    long bad = 0;
    for (Report r : reports.values()) {
      exs += r.exs();
      bad += r.badCandidates();
    }
    out.put(Report.EXS, exs);
    for (String key : Report.averagedKeys()) {
      List<Double> values = new ArrayList<>();
      for (Report r : reports.values()) {
        OptionalDouble v = r.average(key);
        if (v.isPresent()) {
          values.add(v.getAsDouble());
        }
      }
      if (!values.isEmpty()) {
        out.put(key, values.stream().mapToDouble(Double::doubleValue).sum() / values.size());
      }
    }
    if (bad > 0) {
      out.put(Report.BAD_CANDIDATES, bad);
    }
    reports.forEach(
        (task, report) -> report.toMap().forEach((key, v) -> out.put(task + "/" + key, v)));
    return out;
  }
}
