package io.adahit.eval.cli;

import io.adahit.agents.ranker.EmbeddingCache;
import io.adahit.agents.ranker.Ranker;
import io.adahit.agents.ranker.TextEncoder;
import io.adahit.eval.harness.EvalPlan;
import io.adahit.eval.harness.Evaluator;
import io.adahit.eval.harness.RankingModel;
import io.adahit.eval.harness.TaskResult;
import io.adahit.eval.metrics.Report;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Ranks planned tasks with one model, through the embedding cache, with a progress bar per
 * task; what {@code eval_model} and each side of {@code compare} run.
 */
final class TaskRunner {

  private final EvalDataOptions data;
  private final PrintStream progressOut;

  TaskRunner(EvalDataOptions data, PrintStream progressOut) {
    this.data = data;
    this.progressOut = progressOut;
  }

  /**
   * @param label shown before each task's progress bar (e.g. "A convai2"), or null for the task
   * @param listener receives every ranked example; may be null
   */
  List<TaskResult> run(RankingModel model, List<EvalPlan.Task> tasks, List<String> fixed, String label,
      Evaluator.Listener listener) throws IOException {
    EmbeddingCache cache = data.cache(model);
    TextEncoder encoder = cache != null ? cache : model.encoder();
    Evaluator evaluator = new Evaluator(new Ranker(encoder, data.rankerOptions()), data.batchSize,
        data.ignoreBadCandidates);
    List<TaskResult> results = new ArrayList<>();
    for (EvalPlan.Task task : tasks) {
      String name = task.teacher().task();
      long hits0 = cache == null ? 0 : cache.hits();
      long miss0 = cache == null ? 0 : cache.misses();
      long start = System.nanoTime();
      Report report;
      try (ProgressReporter progress = new ProgressReporter(label == null ? name : label + " " + name,
          task.textsToEncode(), "texts", progressOut)) {
        report = evaluator.evaluate(task.examples(), data.mode(), fixed, progress, listener);
      }
      double wall = (System.nanoTime() - start) / 1e9;
      results.add(new TaskResult(name, report, wall,
          cache == null ? -1 : cache.misses() - miss0, cache == null ? -1 : cache.hits() - hits0));
    }
    return results;
  }
}
