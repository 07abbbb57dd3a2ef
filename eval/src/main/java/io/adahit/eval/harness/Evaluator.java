package io.adahit.eval.harness;

import io.adahit.agents.ranker.Ranker;
import io.adahit.agents.ranker.Ranking;
import io.adahit.eval.metrics.AnswerNormalizer;
import io.adahit.eval.metrics.ExampleMetrics;
import io.adahit.eval.metrics.Report;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The hits@1/K loop: ranks each example's candidates with the same {@link Ranker} the server
 * uses and accumulates ParlAI's ranking metrics.
 *
 * <pre>{@code
 * Evaluator ev = new Evaluator(ranker, 32, false);
 * Report r = ev.evaluate(ContextBuilder.build(teacher, -1), CandidateMode.INLINE, List.of(),
 *     n -> {}, null);
 * }</pre>
 *
 * <p>Every context and every distinct candidate text of the run is encoded once, longest first in
 * chunks (so batches need little padding), then each example is ranked in memory; the batch size
 * only matters for {@link CandidateMode#BATCH}, where it is K.
 */
public final class Evaluator {

  /** Called as texts (contexts and distinct candidates) get encoded, with how many. */
  @FunctionalInterface
  public interface Progress {
    void advance(int examples);
  }

  /** Receives every ranked example, e.g. to write world logs or to pair two runs' outcomes. */
  @FunctionalInterface
  public interface Listener {
    /**
     * @param top the best {@link #TOP_N} candidates, best first
     * @param metrics where the gold landed; null when the example was skipped because its label
     *     is not among its candidates ({@code --ignore-bad-candidates})
     */
    void ranked(EvalExample example, List<String> top, float[] topScores, ExampleMetrics metrics)
        throws IOException;
  }

  /** Texts per encode call: long enough to batch well, short enough for steady progress. */
  private static final int CHUNK = 512;

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
    List<List<String>> candidates = candidateLists(examples, mode, fixed);
    // Encode every context and every distinct candidate once, in length-sorted chunks (little
    // padding, steady progress), then rank in memory.
    float[][] ctx = encodeAll(examples.stream().map(EvalExample::context).toList(),
        ranker::encodeContexts, progress);
    Map<String, Integer> distinct = new LinkedHashMap<>();
    candidates.forEach(l -> l.forEach(c -> distinct.putIfAbsent(c, distinct.size())));
    float[][] cand = encodeAll(new ArrayList<>(distinct.keySet()), ranker::encodeCandidates, progress);
    FixedCandidates fixedSet = mode == CandidateMode.FIXED ? new FixedCandidates(fixed, cand) : null;
    for (int i = 0; i < examples.size(); i++) {
      EvalExample e = examples.get(i);
      List<String> cands = candidates.get(i);
      float[][] rows = fixedSet != null ? cand : new float[cands.size()][];
      if (fixedSet == null) {
        for (int j = 0; j < rows.length; j++) {
          rows[j] = cand[distinct.get(cands.get(j))];
        }
      }
      Ranking r = Ranker.score(ctx[i], rows);
      Optional<ExampleMetrics> m = fixedSet != null ? fixedSet.add(report, e, r)
          : report.addRanking(e.name(), r.top(cands, cands.size()), e.example().evalLabels());
      if (listener != null) {
        listener.ranked(e, r.top(cands, TOP_N), r.topScores(TOP_N), m.orElse(null));
      }
    }
    return report;
  }

  /** Number of texts {@link #evaluate} encodes (before the cache), for progress totals. */
  public static long textsToEncode(List<EvalExample> examples, CandidateMode mode, List<String> fixed,
      int batchSize) {
    Map<String, Boolean> distinct = new HashMap<>();
    candidateLists(examples, mode, fixed, batchSize).forEach(l -> l.forEach(c -> distinct.put(c, true)));
    return examples.size() + distinct.size();
  }

  private List<List<String>> candidateLists(List<EvalExample> examples, CandidateMode mode,
      List<String> fixed) {
    return candidateLists(examples, mode, fixed, batchSize);
  }

  private static List<List<String>> candidateLists(List<EvalExample> examples, CandidateMode mode,
      List<String> fixed, int batchSize) {
    if (mode == CandidateMode.FIXED && (fixed == null || fixed.isEmpty())) {
      throw new IllegalArgumentException("eval: -ecands fixed needs a non-empty candidate file (-fcp)");
    }
    List<List<String>> out = new ArrayList<>(examples.size());
    for (int start = 0; start < examples.size(); start += batchSize) {
      List<EvalExample> batch = examples.subList(start, Math.min(examples.size(), start + batchSize));
      List<String> batchLabels = batch.stream().map(e -> e.example().evalLabels().get(0)).toList();
      for (EvalExample e : batch) {
        List<String> own = switch (mode) {
          case INLINE -> e.example().labelCandidates();
          case BATCH -> batchLabels;
          case FIXED -> fixed;
        };
        if (own.isEmpty()) {
          throw new IllegalArgumentException("eval: example '" + e.name()
              + "' has an empty candidate list; use -ecands batch or fixed for this task");
        }
        out.add(own);
      }
    }
    return out;
  }

  /** Encodes texts in chunks of similar length, reporting progress per chunk; input order kept. */
  private static float[][] encodeAll(List<String> texts,
      java.util.function.Function<List<String>, float[][]> encode, Progress progress) {
    Integer[] order = new Integer[texts.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, java.util.Comparator.comparingInt(i -> -texts.get(i).length()));
    float[][] out = new float[texts.size()][];
    for (int start = 0; start < order.length; start += CHUNK) {
      int end = Math.min(order.length, start + CHUNK);
      List<String> chunk = new ArrayList<>(end - start);
      for (int k = start; k < end; k++) {
        chunk.add(texts.get(order[k]));
      }
      float[][] enc = encode.apply(chunk);
      for (int k = start; k < end; k++) {
        out[order[k]] = enc[k - start];
      }
      progress.advance(end - start);
    }
    return out;
  }

  /** A fixed candidate list, encoded once, with its normalised texts for label lookup. */
  private static final class FixedCandidates {
    private final List<String> texts;
    private final float[][] embeddings;
    private final Map<String, List<Integer>> byNormalised = new HashMap<>();

    FixedCandidates(List<String> texts, float[][] embeddings) {
      this.texts = texts;
      this.embeddings = embeddings;
      for (int i = 0; i < texts.size(); i++) {
        byNormalised.computeIfAbsent(AnswerNormalizer.normalize(texts.get(i)), k -> new ArrayList<>()).add(i);
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
        return report.addRanking(e.name(), List.of(), e.example().evalLabels()); // throws or counts it
      }
      ExampleMetrics m = new ExampleMetrics(e.name(), best, texts.size());
      report.add(m);
      return Optional.of(m);
    }
  }
}
