package io.adahit.app.cli;

import io.adahit.agents.backbone.EncoderWork;
import io.adahit.eval.harness.TaskResult;
import io.adahit.eval.metrics.Report;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** The per-task table eval_model prints at the end. */
final class ResultTable {

  private ResultTable() {}

  static void print(PrintWriter out, List<TaskResult> results, double totalSeconds) {
    out.printf(
        Locale.ROOT,
        "%-22s %6s %7s %7s %7s %8s %7s %7s %8s %9s%n",
        "task",
        "exs",
        "hits@1",
        "hits@5",
        "hits@10",
        "hits@100",
        "mrr",
        "rank",
        "ex/s",
        "wall (s)");
    for (TaskResult r : results) {
      Report rep = r.report();
      out.printf(
          Locale.ROOT,
          "%-22s %6d %7s %7s %7s %8s %7s %7s %8.1f %9.1f%n",
          r.task(),
          rep.exs(),
          fmt(rep, "hits@1"),
          fmt(rep, "hits@5"),
          fmt(rep, "hits@10"),
          fmt(rep, "hits@100"),
          fmt(rep, "mrr"),
          fmt(rep, "rank"),
          r.examplesPerSecond(),
          r.wallSeconds());
    }
    out.printf(Locale.ROOT, "total wall time %.1f s%n", totalSeconds);
    if (results.stream().allMatch(r -> r.work() != null)) {
      EncoderWork work =
          results.stream().map(TaskResult::work).reduce(EncoderWork.NONE, EncoderWork::plus);
      out.printf(
          Locale.ROOT,
          "backbone: %,d tokens encoded (%,d with padding), %.0f tokens/s%n",
          work.tokens(),
          work.paddedTokens(),
          work.tokensPerSecond(totalSeconds));
    }
    out.flush();
  }

  private static String fmt(Report r, String key) {
    var v = r.average(key);
    return v.isPresent() ? String.format(Locale.ROOT, "%.4f", v.getAsDouble()) : "-";
  }
}
