package io.adahit.eval.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/** Run options and flat report views for the report tests. */
public final class TestReports {

  private TestReports() {}

  /** Options naming only the task list (and {@code -ne} when given), as a shard test writes. */
  public static RunOptions options(
      String tasks, Integer numExamples, Integer numShards, Integer id) {
    return new RunOptions(
        new RunOptions.Data(
            tasks, null, numExamples, null, null, null, null, null, null, null, null, null),
        numShards,
        id,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
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
}
