package io.adahit.eval.harness;

import io.adahit.eval.teachers.Teacher;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The examples an evaluation will rank, per task, decided and checked before any model is loaded:
 * ParlAI's {@code -ne} (a limit larger than the split is clamped to the split with a warning, as
 * ParlAI does), then this process's {@link Shard}, then the candidate lists (an example with none
 * fails here, naming it).
 *
 * <pre>{@code
 * List<EvalPlan.Task> tasks = EvalPlan.prepare(teachers, 200, Shard.ALL, CandidateMode.INLINE,
 *     List.of(), 32, System.err::println);
 * }</pre>
 */
public final class EvalPlan {

  /**
   * One task's share of the run.
   *
   * @param teacher where the examples come from
   * @param examples the examples to rank, with their contexts
   * @param textsToEncode contexts plus distinct candidates (for progress totals)
   */
  public record Task(Teacher teacher, List<EvalExample> examples, long textsToEncode) {
    public Task {
      examples = List.copyOf(examples);
    }
  }

  private EvalPlan() {}

  /**
   * @param numExamples examples per task, -1 for all
   * @param fixed the candidate list of {@link CandidateMode#FIXED}, else ignored
   * @param warn receives warnings (clamped -ne, empty shard)
   * @throws IllegalArgumentException on an impossible combination (sharding with batch candidates)
   *     or an example with an empty candidate list
   */
  public static List<Task> prepare(
      List<Teacher> teachers,
      int numExamples,
      Shard shard,
      CandidateMode mode,
      List<String> fixed,
      int batchSize,
      Consumer<String> warn) {
    if (numExamples == 0 || numExamples < -1) {
      throw new IllegalArgumentException("-ne must be -1 (all) or >= 1, found " + numExamples);
    }
    if (shard.isSharded() && mode == CandidateMode.BATCH) {
      throw new IllegalArgumentException(
          "--num-shards cannot be used with -ecands batch: the"
              + " candidates of an example are its batch's labels, so shards would rank other lists than"
              + " one run and their reports would not merge into its report; use -ecands inline or fixed");
    }
    List<Task> out = new ArrayList<>();
    for (Teacher t : teachers) {
      if (numExamples > t.numExamples()) {
        warn.accept(
            "warning: -ne "
                + numExamples
                + " is more than the "
                + t.numExamples()
                + " examples of "
                + t.task()
                + " "
                + t.datatype()
                + "; evaluating all "
                + t.numExamples()
                + " (ParlAI clamps the same way)");
      }
      List<EvalExample> examples = shard.select(ContextBuilder.build(t, numExamples));
      if (examples.isEmpty()) {
        warn.accept(
            "warning: shard "
                + shard.shardId()
                + " of "
                + shard.numShards()
                + " holds no"
                + " episode of "
                + t.task()
                + "; its report counts 0 examples");
      }
      out.add(new Task(t, examples, Evaluator.textsToEncode(examples, mode, fixed, batchSize)));
    }
    return out;
  }
}
