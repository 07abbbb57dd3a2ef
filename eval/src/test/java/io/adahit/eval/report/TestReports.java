package io.adahit.eval.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.eval.harness.TaskResult;
import io.adahit.eval.metrics.Report;
import java.util.List;
import java.util.Map;

/** Run options and flat report views for the report tests. */
public final class TestReports {

  private TestReports() {}

  /** Options naming only the task list (and {@code -ne} when given), as a shard test writes. */
  public static RunOptions options(
      String tasks, Integer numExamples, Integer numShards, Integer id) {
    return of(
        new RunOptions.Data(
            tasks, null, numExamples, null, null, null, null, null, null, null, null, null),
        numShards,
        id);
  }

  /** Options with these data options and shard, nothing else. */
  public static RunOptions of(RunOptions.Data data, Integer numShards, Integer id) {
    return new RunOptions(data, numShards, id, null, null, null, null, null, null, null, null);
  }

  /** Options naming only the task list. */
  public static RunOptions options(String tasks) {
    return options(tasks, null, null, null);
  }

  /** The report as its JSON reads back into plain Java values ({@code "convai2/exs"} -> 80L). */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> flat(RunResults r) {
    return new ObjectMapper().convertValue(ResultsJson.write(r), Map.class);
  }

  /** A one-task report of one example ranked first (for tests about the opt). */
  public static RunResults flatReportOf(String task) {
    Report r = new Report();
    r.addRanking("e", List.of("gold", "x"), List.of("gold"));
    return RunResults.of(List.of(new TaskResult(task, r, 1.0, -1, -1)), 1.0, false, List.of());
  }
}
