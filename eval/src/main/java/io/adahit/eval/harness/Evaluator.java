package io.adahit.eval.harness;

import io.adahit.agents.ranker.Ranker;
import io.adahit.agents.ranker.Ranking;
import io.adahit.eval.metrics.AnswerNormalizer;
import io.adahit.eval.metrics.ExampleMetrics;
import io.adahit.eval.metrics.Report;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The hits@1/K loop: ranks each example's candidates with the same {@link Ranker} the server
 * uses and accumulates ParlAI's ranking metrics.
 *
 * <pre>{@code
 * Evaluator ev = new Evaluator(ranker, 32, false);
 * Report r = ev.evaluate(ContextBuilder.build(teacher, -1), CandidateMode.INLINE, List.of(),
 *     n -> {}, null);
 * }</pre>
 */
public final class Evaluator {

  /** Called after each batch with the number of examples it held. */
  @FunctionalInterface
  public interface Progress {
    void advance(int examples);
  }

  /** Receives every ranked example, e.g. to write world logs. */
  @FunctionalInterface
  public interface Listener {
    void ranked(EvalExample example, List<String> top, float[] topScores) throws IOException;
  }

  /** Candidates kept per example for listeners (ParlAI caps text_candidates at 100). */
  public static final int TOP_N = 100;

  private final Ranker ranker;
  private final int batchSize;
  private final boolean ignoreBadCandidates;

  /**
   * @param batchSize examples ranked per call (ParlAI's {@code -bs}); in batch mode also K
   * @param ignoreBadCandidates skip and count examples whose label is not among the candidates
   */
  public Evaluator(Ranker ranker, int batchSize, boolean ignoreBadCandidates) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("eval: batch size must be >= 1, found " + batchSize);
    }
    this.ranker = ranker;
    this.batchSize = batchSize;
    this.ignoreBadCandidates = ignoreBadCandidates;
  }

  /**
   * @param fixed the candidate list for {@link CandidateMode#FIXED}, else ignored
   * @param listener may be null
   */
  public Report evaluate(List<EvalExample> examples, CandidateMode mode, List<String> fixed,
      Progress progress, Listener listener) throws IOException {
    Report report = new Report(ignoreBadCandidates);
    FixedCandidates fixedSet = mode == CandidateMode.FIXED ? new FixedCandidates(fixed) : null;
    for (int start = 0; start < examples.size(); start += batchSize) {
      List<EvalExample> batch = examples.subList(start, Math.min(examples.size(), start + batchSize));
      List<String> contexts = batch.stream().map(EvalExample::context).toList();
      if (mode == CandidateMode.FIXED) {
        float[][] ctx = ranker.encodeContexts(contexts);
        for (int i = 0; i < batch.size(); i++) {
          Ranking r = Ranker.score(ctx[i], fixedSet.embeddings());
          fixedSet.add(report, batch.get(i), r);
          notify(listener, batch.get(i), fixed, r);
        }
      } else {
        List<List<String>> candidates = new ArrayList<>();
        List<String> batchLabels = batch.stream().map(e -> e.example().evalLabels().get(0)).toList();
        for (EvalExample e : batch) {
          List<String> own = mode == CandidateMode.BATCH ? batchLabels : e.example().labelCandidates();
          if (own.isEmpty()) {
            throw new IllegalArgumentException("eval: example '" + e.name()
                + "' has an empty candidate list; use -ecands batch or fixed for this task");
          }
          candidates.add(own);
        }
        List<Ranking> rankings = ranker.rankAll(contexts, candidates);
        for (int i = 0; i < batch.size(); i++) {
          List<String> cands = candidates.get(i);
          Ranking r = rankings.get(i);
          report.addRanking(batch.get(i).name(), r.top(cands, cands.size()),
              batch.get(i).example().evalLabels());
          notify(listener, batch.get(i), cands, r);
        }
      }
      progress.advance(batch.size());
    }
    return report;
  }

  private static void notify(Listener listener, EvalExample e, List<String> cands, Ranking r)
      throws IOException {
    if (listener != null) {
      listener.ranked(e, r.top(cands, TOP_N), r.topScores(TOP_N));
    }
  }

  /** A fixed candidate list, encoded once, with its normalised texts for label lookup. */
  private final class FixedCandidates {
    private final List<String> texts;
    private final float[][] embeddings;
    private final Map<String, List<Integer>> byNormalised = new HashMap<>();

    FixedCandidates(List<String> texts) {
      if (texts == null || texts.isEmpty()) {
        throw new IllegalArgumentException("eval: -ecands fixed needs a non-empty candidate file (-fcp)");
      }
      this.texts = texts;
      this.embeddings = ranker.encodeCandidates(texts);
      for (int i = 0; i < texts.size(); i++) {
        byNormalised.computeIfAbsent(AnswerNormalizer.normalize(texts.get(i)), k -> new ArrayList<>()).add(i);
      }
    }

    float[][] embeddings() {
      return embeddings;
    }

    /** The gold's rank is that of its best-ranked copy, as for inline candidates. */
    void add(Report report, EvalExample e, Ranking r) {
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
        report.addRanking(e.name(), List.of(), e.example().evalLabels()); // throws or counts it
      } else {
        report.add(new ExampleMetrics(e.name(), best, texts.size()));
      }
    }
  }
}
