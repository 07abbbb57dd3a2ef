package io.adahit.app.cli;

import io.adahit.agents.backbone.EncoderWork;
import io.adahit.eval.harness.EvalPlan;
import io.adahit.eval.harness.EvalTarget;
import io.adahit.eval.harness.Evaluator;
import io.adahit.eval.harness.Scorer;
import io.adahit.eval.harness.TaskResult;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Ranks planned tasks with one model (in process through the embedding cache, through a router, or
 * on a server), with a progress bar per task; what {@code eval_model} and each side of {@code
 * compare} run.
 */
final class TaskRunner {

  private final EvalDataOptions data;
  private final PrintStream progressOut;
  private final Supplier<EncoderWork> work;

  /**
   * @param work the backbone's running counts ({@code backbone.encoder()::work}), for each task's
   *     tokens and tokens/s; null when the model runs elsewhere (a server)
   */
  TaskRunner(EvalDataOptions data, PrintStream progressOut, Supplier<EncoderWork> work) {
    this.data = data;
    this.progressOut = progressOut;
    this.work = work;
  }

  /**
   * @param label shown before each task's progress bar (e.g. "A convai2"), or null for the task
   * @param listener receives every ranked example; may be null
   */
  List<TaskResult> run(
      EvalTarget model,
      List<EvalPlan.Task> tasks,
      List<String> fixed,
      String label,
      Evaluator.Listener listener)
      throws IOException {
    Scorer scorer =
        model.scorerFor(data.overrides(), data.cacheDirOrNull()); // each skill at its own lengths
    Evaluator evaluator = new Evaluator(scorer, data.batchSize, data.ignoreBadCandidates);
    List<TaskResult> results = new ArrayList<>();
    for (EvalPlan.Task task : tasks) {
      String name = task.teacher().task();
      long miss0 = scorer.encodedTexts();
      long hits0 = scorer.cachedTexts();
      EncoderWork work0 = work == null ? null : work.get();
      long start = System.nanoTime();
      Evaluator.Result result;
      try (ProgressReporter progress =
          new ProgressReporter(
              label == null ? name : label + " " + name,
              task.textsToEncode(),
              "texts",
              progressOut)) {
        result = evaluator.run(task.examples(), data.mode(), fixed, progress, listener);
      }
      double wall = (System.nanoTime() - start) / 1e9;
      boolean cached = scorer.encodedTexts() >= 0;
      results.add(
          new TaskResult(
              name,
              result.report(),
              wall,
              cached ? scorer.encodedTexts() - miss0 : -1,
              cached ? scorer.cachedTexts() - hits0 : -1,
              result.routing(),
              work0 == null ? null : work.get().minus(work0)));
    }
    return results;
  }
}
