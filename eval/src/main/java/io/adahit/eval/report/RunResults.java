package io.adahit.eval.report;

import io.adahit.agents.backbone.EncoderWork;
import io.adahit.eval.harness.Contamination;
import io.adahit.eval.harness.RoutingCounts;
import io.adahit.eval.harness.TaskResult;
import io.adahit.eval.metrics.MultiTaskReport;
import io.adahit.eval.metrics.Report;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The {@code "report"} of an eval_model run (or of merged shards), typed: ParlAI's metrics over all
 * tasks ({@link MultiTaskReport}) and per task ({@link TaskRun}), the contamination verdict when an
 * adapter was evaluated, a router's routing counts and accuracy ({@link RoutingCounts}), and the
 * run's wall time, examples/s and backbone tokens. {@link ResultsJson} writes it with ParlAI's
 * keys.
 *
 * <pre>{@code
 * RunResults r = RunResults.of(results, totalSeconds, true, List.of());
 * r.overall().hits1();            // macro average over the tasks
 * r.tasks().get(0).wallSeconds(); // the first task's wall time
 * }</pre>
 *
 * @param overall the metrics of all tasks (with one task: that task's)
 * @param tasks per task, in run order; not empty
 * @param contaminated whether an evaluated file was a training file; null when not checked (no
 *     adapter evaluated)
 * @param contamination the findings (empty when none)
 * @param routing with several routed tasks: summed counts and macro-averaged accuracy; else null
 * @param totalWallSeconds the run's wall time (rounded to ms), or null when not recorded
 * @param exps with several tasks: examples per second of the whole run; else null
 * @param totalTokens with several tasks that all counted them: the backbone's tokens; else null
 */
public record RunResults(
    Metrics overall,
    List<TaskRun> tasks,
    Boolean contaminated,
    List<Contamination> contamination,
    TaskRun.Routing routing,
    Double totalWallSeconds,
    Double exps,
    TaskRun.Tokens totalTokens) {

  public RunResults {
    tasks = List.copyOf(tasks);
    contamination = List.copyOf(contamination);
    if (tasks.isEmpty()) {
      throw new IllegalArgumentException("a run report needs at least one task, found none");
    }
  }

  /**
   * The report of a run's per-task results.
   *
   * @param totalSeconds the run's wall time
   * @param checked whether training files were checked (an adapter was evaluated); without an
   *     adapter the report records no verdict
   * @param found the contamination findings; any makes the run contaminated
   */
  public static RunResults of(
      List<TaskResult> results, double totalSeconds, boolean checked, List<Contamination> found) {
    Map<String, Report> byTask = new LinkedHashMap<>();
    results.forEach(r -> byTask.put(r.task(), r.report()));
    Map<String, Number> all = new MultiTaskReport(byTask).toMap();
    boolean several = results.size() > 1;
    List<TaskRun> tasks = results.stream().map(RunResults::taskRun).toList();
    Double exps =
        several && totalSeconds > 0
            ? round(results.stream().mapToLong(r -> r.report().exs()).sum() / totalSeconds)
            : null;
    TaskRun.Tokens total =
        several && results.stream().allMatch(r -> r.work() != null)
            ? tokens(
                results.stream().map(TaskResult::work).reduce(EncoderWork.NONE, EncoderWork::plus),
                totalSeconds)
            : null;
    return new RunResults(
        Metrics.of(all),
        tasks,
        (checked || !found.isEmpty()) ? Boolean.valueOf(!found.isEmpty()) : null,
        found,
        several ? overallRouting(results) : null,
        round(totalSeconds),
        exps,
        total);
  }

  private static TaskRun taskRun(TaskResult r) {
    boolean cached = r.encodedTexts() >= 0;
    return new TaskRun(
        r.task(),
        Metrics.of(r.report().toMap()),
        r.routing() == null
            ? null
            : new TaskRun.Routing(boxed(r.routing().accuracy(r.task())), r.routing().routed()),
        round(r.wallSeconds()),
        round(r.examplesPerSecond()),
        round(r.examplesPerSecond()),
        cached ? r.encodedTexts() : null,
        cached ? r.cachedTexts() : null,
        r.work() == null ? null : tokens(r.work(), r.wallSeconds()),
        TaskCounts.of(r.report()));
  }

  /** Summed counts and the macro average of the accuracies that exist; null without a router. */
  private static TaskRun.Routing overallRouting(List<TaskResult> results) {
    RoutingCounts sum = null;
    double accuracy = 0;
    int withAccuracy = 0;
    for (TaskResult r : results) {
      if (r.routing() != null) {
        sum = sum == null ? r.routing() : sum.plus(r.routing());
        OptionalDouble a = r.routing().accuracy(r.task());
        if (a.isPresent()) {
          accuracy += a.getAsDouble();
          withAccuracy++;
        }
      }
    }
    return sum == null
        ? null
        : new TaskRun.Routing(withAccuracy > 0 ? accuracy / withAccuracy : null, sum.routed());
  }

  private static TaskRun.Tokens tokens(EncoderWork work, double seconds) {
    return new TaskRun.Tokens(
        work.tokens(), work.paddedTokens(), round(work.tokensPerSecond(seconds)));
  }

  private static Double boxed(OptionalDouble d) {
    return d.isPresent() ? d.getAsDouble() : null;
  }

  static double round(double x) {
    return Math.round(x * 1000) / 1000.0;
  }
}
