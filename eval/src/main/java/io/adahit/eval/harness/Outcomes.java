package io.adahit.eval.harness;

import io.adahit.eval.metrics.ExampleMetrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each example's hit@1 in one run, by example name: one side of a {@code compare}. Examples skipped
 * for bad candidates are remembered as such and left out of every pair.
 *
 * <pre>{@code
 * Outcomes a = new Outcomes();
 * evaluator.evaluate(examples, mode, fixed, progress, a);
 * Outcomes.Paired p = Outcomes.pair(examples, a, b);
 * PairedComparison.compare(p.a(), p.b(), 1000, 0);
 * }</pre>
 */
public final class Outcomes implements Evaluator.Listener {

  /** hit@1 per example name; null for a skipped example. */
  private final Map<String, Boolean> hits = new HashMap<>();

  /**
   * Both runs' outcomes on the examples both scored, in example order.
   *
   * @param a hit@1 of A
   * @param b hit@1 of B
   * @param skipped examples left out (bad candidates in either run)
   */
  public record Paired(boolean[] a, boolean[] b, int skipped) {}

  @Override
  public void ranked(
      EvalExample example, List<String> top, float[] topScores, ExampleMetrics metrics) {
    hits.put(example.name(), metrics == null ? null : metrics.rank() == 1);
  }

  /**
   * Pairs the outcomes of {@code examples} in both runs.
   *
   * @throws IllegalStateException if a run did not rank one of the examples
   */
  public static Paired pair(List<EvalExample> examples, Outcomes a, Outcomes b) {
    List<boolean[]> pairs = new ArrayList<>(examples.size());
    int skipped = 0;
    for (EvalExample e : examples) {
      if (!a.hits.containsKey(e.name()) || !b.hits.containsKey(e.name())) {
        throw new IllegalStateException(
            "compare: example '" + e.name() + "' was not ranked by both runs");
      }
      Boolean x = a.hits.get(e.name());
      Boolean y = b.hits.get(e.name());
      if (x == null || y == null) {
        skipped++;
      } else {
        pairs.add(new boolean[] {x, y});
      }
    }
    boolean[] ha = new boolean[pairs.size()];
    boolean[] hb = new boolean[pairs.size()];
    for (int i = 0; i < ha.length; i++) {
      ha[i] = pairs.get(i)[0];
      hb[i] = pairs.get(i)[1];
    }
    return new Paired(ha, hb, skipped);
  }
}
