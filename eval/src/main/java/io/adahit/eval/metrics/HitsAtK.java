package io.adahit.eval.metrics;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Per-example ranking metrics from a ranked candidate list, as ParlAI's {@code
 * TeacherMetrics._update_ranking_metrics} computes hits@k.
 *
 * <p>Labels and candidates are compared after {@link AnswerNormalizer#normalize}. The rank is the
 * 1-based position of the <em>first</em> ranked candidate that matches any label.
 *
 * <p><b>Duplicates.</b> Candidates are not merged: a duplicate negative takes its own slot, as in
 * ParlAI. If the gold occurs more than once (or two candidates normalise to the same string), the
 * best-ranked copy counts, so hits@k and rank always agree. ParlAI computes hits@k the same way but
 * takes {@code rank} from the first copy <em>in the input order</em> ({@code
 * TorchRankerAgent._find_match}), which can be worse than ours when a later copy ranks higher.
 * Teachers in this project never emit the gold twice.
 *
 * <pre>{@code
 * Optional<ExampleMetrics> m =
 *     HitsAtK.evaluate("ex 1", List.of("hi there", "The gold!", "bye"), List.of("gold"));
 * m.get().rank();   // 2
 * }</pre>
 */
public final class HitsAtK {

  private HitsAtK() {}

  /**
   * Ranks the labels within {@code rankedCandidates} (best first).
   *
   * @return the example's metrics, or empty when no candidate matches a label
   * @throws IllegalArgumentException if {@code labels} is empty
   */
  public static Optional<ExampleMetrics> evaluate(
      String exampleId, List<String> rankedCandidates, Collection<String> labels) {
    if (labels.isEmpty()) {
      throw new IllegalArgumentException(
          "example '" + exampleId + "': labels must not be empty, found []");
    }
    Set<String> labelSet = new HashSet<>();
    for (String label : labels) {
      labelSet.add(AnswerNormalizer.normalize(label));
    }
    for (int i = 0; i < rankedCandidates.size(); i++) {
      if (labelSet.contains(AnswerNormalizer.normalize(rankedCandidates.get(i)))) {
        return Optional.of(new ExampleMetrics(exampleId, i + 1, rankedCandidates.size()));
      }
    }
    return Optional.empty();
  }

  /**
   * ParlAI's {@code accuracy}: 1 when the normalised {@code prediction} equals a normalised label.
   */
  public static int exactMatch(String prediction, Collection<String> labels) {
    String p = AnswerNormalizer.normalize(prediction);
    for (String label : labels) {
      if (p.equals(AnswerNormalizer.normalize(label))) {
        return 1;
      }
    }
    return 0;
  }
}
