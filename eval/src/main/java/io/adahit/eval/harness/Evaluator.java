package io.adahit.eval.harness;

import io.adahit.agents.ranker.Ranker;
import io.adahit.agents.ranker.Ranking;
import io.adahit.eval.metrics.AnswerNormalizer;
import io.adahit.eval.metrics.ExampleMetrics;
import io.adahit.eval.metrics.Report;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The hits@1/K loop: builds each example's candidate list (ParlAI's {@code -ecands}), has a {@link
 * Scorer} score them (in this process with a {@link Ranker} and agents' {@link
 * io.adahit.agents.ranker.BatchRanker#rank}, which the server's gRPC Rank also scores with; through
 * a skill router; or by a live server) and accumulates ParlAI's ranking metrics.
 *
 * <pre>{@code
 * Evaluator ev = new Evaluator(ranker, 32, false);
 * Report r = ev.evaluate(ContextBuilder.build(teacher, -1), CandidateMode.INLINE, List.of(),
 *     n -> {}, null);
 * Evaluator.Result routed = new Evaluator(routedScorer, 32, false)
 *     .run(examples, CandidateMode.INLINE, List.of(), n -> {}, null);
 * routed.routing().accuracy("convai2");
 * }</pre>
 *
 * <p>The batch size only matters for {@link CandidateMode#BATCH}, where it is K, and for a remote
 * scorer, where it bounds the calls in flight.
 */
public final class Evaluator {

  /** Called as texts (contexts and distinct candidates) get encoded, with how many. */
  @FunctionalInterface
  public interface Progress {
    void advance(int examples);

    /** The total amount of work, when a scorer knows it better than the plan's count. */
    default void expect(long total) {}
  }

  /** Receives every ranked example, e.g. to write world logs or to pair two runs' outcomes. */
  @FunctionalInterface
  public interface Listener {
    /**
     * @param top the best {@link #TOP_N} candidates, best first
     * @param metrics where the gold landed; null when the example was skipped because its label is
     *     not among its candidates ({@code --ignore-bad-candidates})
     */
    void ranked(EvalExample example, List<String> top, float[] topScores, ExampleMetrics metrics)
        throws IOException;
  }

  /**
   * One evaluation's outcome.
   *
   * @param report the ranking metrics
   * @param routing where a router sent the examples; null when the scorer does not route
   */
  public record Result(Report report, RoutingCounts routing) {}

  /** Candidates kept per example for listeners (ParlAI caps text_candidates at 100). */
  public static final int TOP_N = 100;

  private final Scorer scorer;
  private final int batchSize;
  private final boolean ignoreBadCandidates;

  /**
   * @param batchSize examples ranked per call (ParlAI's {@code -bs}); in batch mode also K
   * @param ignoreBadCandidates skip and count examples whose label is not among the candidates
   */
  public Evaluator(Scorer scorer, int batchSize, boolean ignoreBadCandidates) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("eval: batch size must be >= 1, found " + batchSize);
    }
    this.scorer = scorer;
    this.batchSize = batchSize;
    this.ignoreBadCandidates = ignoreBadCandidates;
  }

  /** Scores in this process with {@code ranker} ({@link LocalScorer}). */
  public Evaluator(Ranker ranker, int batchSize, boolean ignoreBadCandidates) {
    this(new LocalScorer(ranker), batchSize, ignoreBadCandidates);
  }

  /** {@link #run}'s metrics alone. */
  public Report evaluate(
      List<EvalExample> examples,
      CandidateMode mode,
      List<String> fixed,
      Progress progress,
      Listener listener)
      throws IOException {
    return run(examples, mode, fixed, progress, listener).report();
  }

  /**
   * @param fixed the candidate list for {@link CandidateMode#FIXED}, else ignored
   * @param listener may be null
   */
  public Result run(
      List<EvalExample> examples,
      CandidateMode mode,
      List<String> fixed,
      Progress progress,
      Listener listener)
      throws IOException {
    Report report = new Report(ignoreBadCandidates);
    List<List<String>> candidates = candidateLists(examples, mode, fixed, batchSize);
    List<Scorer.Scored> scored = scorer.score(examples, candidates, progress);
    if (scored.size() != examples.size()) {
      throw new IllegalStateException(
          "eval: the scorer returned "
              + scored.size()
              + " results for "
              + examples.size()
              + " examples");
    }
    FixedCandidates fixedSet = mode == CandidateMode.FIXED ? new FixedCandidates(fixed) : null;
    List<String> routerSkills = scorer.routerSkills();
    Map<String, Long> routed = new HashMap<>();
    for (int i = 0; i < examples.size(); i++) {
      EvalExample e = examples.get(i);
      List<String> cands = candidates.get(i);
      Ranking r = scored.get(i).ranking();
      if (r.scores().length != cands.size()) {
        throw new IllegalStateException(
            "eval: example '"
                + e.name()
                + "' has "
                + cands.size()
                + " candidates but "
                + r.scores().length
                + " scores");
      }
      if (scored.get(i).routedTo() != null) {
        routed.merge(scored.get(i).routedTo(), 1L, Long::sum);
      }
      Optional<ExampleMetrics> m =
          fixedSet != null
              ? fixedSet.add(report, e, r)
              : report.addRanking(e.name(), r.top(cands, cands.size()), e.example().evalLabels());
      if (listener != null) {
        listener.ranked(e, r.top(cands, TOP_N), r.topScores(TOP_N), m.orElse(null));
      }
    }
    RoutingCounts routing = routerSkills.isEmpty() ? null : new RoutingCounts(routerSkills, routed);
    return new Result(report, routing);
  }

  /**
   * Number of texts a {@link LocalScorer} encodes for these examples (before the cache), for
   * progress totals.
   */
  public static long textsToEncode(
      List<EvalExample> examples, CandidateMode mode, List<String> fixed, int batchSize) {
    Set<String> distinct = new HashSet<>();
    candidateLists(examples, mode, fixed, batchSize).forEach(distinct::addAll);
    return examples.size() + distinct.size();
  }

  private static List<List<String>> candidateLists(
      List<EvalExample> examples, CandidateMode mode, List<String> fixed, int batchSize) {
    if (mode == CandidateMode.FIXED && (fixed == null || fixed.isEmpty())) {
      throw new IllegalArgumentException(
          "eval: -ecands fixed needs a non-empty candidate file (-fcp)");
    }
    List<List<String>> out = new ArrayList<>(examples.size());
    for (int start = 0; start < examples.size(); start += batchSize) {
      List<EvalExample> batch =
          examples.subList(start, Math.min(examples.size(), start + batchSize));
      List<String> batchLabels = batch.stream().map(e -> e.example().evalLabels().get(0)).toList();
      for (EvalExample e : batch) {
        List<String> own =
            switch (mode) {
              case INLINE -> e.example().labelCandidates();
              case BATCH -> batchLabels;
              case FIXED -> fixed;
            };
        if (own.isEmpty()) {
          throw new IllegalArgumentException(
              "eval: example '"
                  + e.name()
                  + "' has an empty candidate list; use -ecands batch or fixed for this task");
        }
        out.add(own);
      }
    }
    return out;
  }

  /** A fixed candidate list with its normalised texts, for label lookup. */
  private static final class FixedCandidates {
    private final List<String> texts;
    private final Map<String, List<Integer>> byNormalised = new HashMap<>();

    FixedCandidates(List<String> texts) {
      this.texts = texts;
      for (int i = 0; i < texts.size(); i++) {
        byNormalised
            .computeIfAbsent(AnswerNormalizer.normalize(texts.get(i)), k -> new ArrayList<>())
            .add(i);
      }
    }

    /** The gold's rank is that of its best-ranked copy, as for inline candidates. */
    Optional<ExampleMetrics> add(Report report, EvalExample e, Ranking r) {
      int[] position = new int[texts.size()];
      for (int p = 0; p < r.order().length; p++) {
        position[r.order()[p]] = p + 1;
      }
      int best = Integer.MAX_VALUE;
      for (String label : e.example().evalLabels()) {
        for (int idx : byNormalised.getOrDefault(AnswerNormalizer.normalize(label), List.of())) {
          best = Math.min(best, position[idx]);
        }
      }
      if (best == Integer.MAX_VALUE) {
        return report.addRanking(
            e.name(), List.of(), e.example().evalLabels()); // throws or counts it
      }
      ExampleMetrics m = new ExampleMetrics(e.name(), best, texts.size());
      report.add(m);
      report.addF1(texts.get(r.order()[0]), e.example().evalLabels());
      return Optional.of(m);
    }
  }
}
