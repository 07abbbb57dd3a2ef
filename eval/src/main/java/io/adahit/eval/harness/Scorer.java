package io.adahit.eval.harness;

import io.adahit.agents.ranker.Ranking;
import java.io.IOException;
import java.util.List;

/**
 * How an {@link Evaluator} gets each example's candidates scored: in this process with one skill's
 * encoder ({@link LocalScorer}), in this process through a skill router ({@link RoutedScorer}), or
 * by a live server's gRPC {@code Rank} call ({@code io.adahit.eval.remote.RemoteScorer}). The
 * evaluator builds the candidate lists and computes the metrics, so every way of scoring is
 * measured by the same code.
 *
 * <pre>{@code
 * Scorer scorer = LocalScorer.of(TextEncoder.of(backbone), backbone.fingerprint() + "/zero-shot",
 *     RankerOptions.defaults(), null);
 * List<Scorer.Scored> s = scorer.score(examples, candidateLists, n -> {});
 * s.get(0).ranking().order()[0];   // index of example 0's best candidate
 * }</pre>
 */
public interface Scorer {

  /**
   * One example's scores.
   *
   * @param ranking the scores of the example's candidates, in their given order, and that order
   *     ranked
   * @param routedTo the skill a router chose for the example; null when no router was involved
   */
  record Scored(Ranking ranking, String routedTo) {
    public Scored {
      if (ranking == null) {
        throw new IllegalArgumentException("scored example: ranking is required");
      }
    }
  }

  /**
   * Scores each example's candidates.
   *
   * @param candidates one non-empty list per example, aligned with {@code examples}
   * @param progress advanced as the work gets done; a scorer whose work differs from the plan's
   *     count (contexts + distinct candidates) announces its own total first
   * @return one result per example, in the examples' order
   * @throws IOException if a remote scorer's server fails (the message says what to do)
   */
  List<Scored> score(
      List<EvalExample> examples, List<List<String>> candidates, Evaluator.Progress progress)
      throws IOException;

  /** The skills a router chooses between, in its order; empty when this scorer does not route. */
  default List<String> routerSkills() {
    return List.of();
  }

  /** Texts encoded so far because the embedding cache lacked them, or -1 without a cache. */
  default long encodedTexts() {
    return -1;
  }

  /** Texts served from the embedding cache so far, or -1 without a cache. */
  default long cachedTexts() {
    return -1;
  }
}
