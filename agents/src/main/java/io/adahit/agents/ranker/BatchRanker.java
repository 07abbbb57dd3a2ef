package io.adahit.agents.ranker;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.TokenBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Scores a batch of encoded contexts, the one place where contexts meet candidates. Two forms:
 *
 * <ul>
 *   <li>{@link #top}: a batch of tokenized contexts, possibly of several skills, goes through one
 *       backbone pass ({@link MixedSkillEncoder}); each skill's rows are scored against that
 *       skill's {@link CandidateIndex} with one matrix product on the engine, and each row keeps
 *       its best {@code k} candidates, skipping texts it must not repeat. The server's chat turns
 *       are answered this way.
 *   <li>{@link #rank}: context embeddings against per-example candidate lists (embeddings already
 *       computed, see {@link Ranker}), each score a dot product summed in float in dimension order,
 *       each list fully ranked ({@link Ranking}). {@link Ranker}, the server's gRPC Rank and the
 *       evaluation harness rank this way.
 * </ul>
 *
 * Both order candidates alike: descending score, ties in candidate order. The two sums differ only
 * in float rounding (the engine's matrix product sums in its own order): the same context and
 * candidates score within 1e-6 of each other.
 *
 * <pre>{@code
 * BatchRanker ranker = new BatchRanker(backbone, RankerOptions.defaults());
 * long[][] rows = backbone.tokenizer().encodeRows(contexts, 256, Truncation.KEEP_END);
 * List<BatchRanker.Top> tops = ranker.top(rows, List.of(new BatchRanker.Segment(0, rows.length, adapters, index)),
 *     Collections.nCopies(rows.length, new BatchRanker.Want(5, Set.of())), null);
 * List<Ranking> ranked = BatchRanker.rank(contextEmbeddings, candidateEmbeddings, DistinctTexts.of(lists).lists());
 * }</pre>
 *
 * <p>{@link #top} is thread-safe if the backbone and adapters are (they are read-only); the static
 * methods are pure.
 */
public final class BatchRanker {

  /**
   * Rows {@code from} (inclusive) to {@code to} (exclusive) of a batch: encoded with {@code
   * adapters} (null for the zero-shot backbone), scored against {@code index}.
   */
  public record Segment(int from, int to, AdapterSet adapters, CandidateIndex index) {}

  /** What one row asks for: its best {@code k} candidates, none of {@code blocked}. */
  public record Want(int k, Set<String> blocked) {}

  /** A row's best candidates, best first, with their scores. */
  public record Top(List<String> texts, float[] scores) {}

  /** Told how long scoring each segment against its index took (the backbone pass excluded). */
  @FunctionalInterface
  public interface SegmentTimer {
    void scored(int segment, long nanos);
  }

  private final Backbone backbone;
  private final MixedSkillEncoder encoder;
  private final boolean normalize;

  /**
   * @param options only whether contexts are L2-normalised is used here; rows come tokenized
   */
  public BatchRanker(Backbone backbone, RankerOptions options) {
    this.backbone = backbone;
    this.encoder = new MixedSkillEncoder(backbone);
    this.normalize = options.context().normalize();
  }

  /**
   * Encodes {@code rows} in one backbone pass and answers each row from its segment's index.
   *
   * @param rows tokenized contexts (padded here), grouped by segment
   * @param segments contiguous, covering every row in order
   * @param wants one per row
   * @param timer may be null
   * @return one per row, in row order
   */
  public List<Top> top(
      long[][] rows, List<Segment> segments, List<Want> wants, SegmentTimer timer) {
    if (wants.size() != rows.length) {
      throw new IllegalArgumentException(
          "batch ranker: " + rows.length + " rows but " + wants.size() + " wants");
    }
    TokenBatch batch = backbone.tokenizer().pad(rows);
    List<MixedSkillEncoder.Segment> encode = new ArrayList<>(segments.size());
    for (Segment s : segments) {
      encode.add(new MixedSkillEncoder.Segment(s.from(), s.to(), s.adapters()));
    }
    Top[] out = new Top[rows.length];
    try (NDManager m = backbone.newManager()) {
      NDArray emb = encoder.encode(m, batch, encode, normalize);
      for (int g = 0; g < segments.size(); g++) {
        Segment seg = segments.get(g);
        long t0 = System.nanoTime();
        float[] scores = seg.index().scores(emb.get(new NDIndex("{}:{}", seg.from(), seg.to())));
        int n = seg.index().size();
        for (int r = seg.from(); r < seg.to(); r++) {
          Want w = wants.get(r);
          out[r] = top(scores, (r - seg.from()) * n, seg.index().texts(), w.k(), w.blocked());
        }
        if (timer != null) {
          timer.scored(g, System.nanoTime() - t0);
        }
      }
    }
    return List.of(out);
  }

  /**
   * Ranks each context against its own candidate list.
   *
   * @param contexts one embedding per example
   * @param candidates the distinct candidate embeddings
   * @param lists {@code lists[i]}: example i's candidates, as rows of {@code candidates} ({@link
   *     DistinctTexts#lists()})
   * @throws IllegalArgumentException if the counts differ or a list is empty
   */
  public static List<Ranking> rank(float[][] contexts, float[][] candidates, int[][] lists) {
    if (contexts.length != lists.length) {
      throw new IllegalArgumentException(
          "ranker: " + contexts.length + " contexts but " + lists.length + " candidate lists");
    }
    List<Ranking> out = new ArrayList<>(contexts.length);
    for (int i = 0; i < contexts.length; i++) {
      if (lists[i].length == 0) {
        throw new IllegalArgumentException("ranker: example " + i + " has no candidates to rank");
      }
      float[] scores = new float[lists[i].length];
      for (int j = 0; j < scores.length; j++) {
        scores[j] = dot(contexts[i], candidates[lists[i][j]]);
      }
      out.add(Ranking.of(scores));
    }
    return out;
  }

  /** Ranks one context against the rows of {@code candidates}, in their order. */
  public static Ranking rank(float[] context, float[][] candidates) {
    int[] all = new int[candidates.length];
    Arrays.setAll(all, j -> j);
    return rank(new float[][] {context}, candidates, new int[][] {all}).get(0);
  }

  /** Dot product summed in float, in dimension order. */
  static float dot(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          "ranker: embedding sizes differ, " + a.length + " vs " + b.length);
    }
    float s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  /**
   * The best {@code k} of a row of scores, best first, ties in candidate order ({@link
   * Ranking#descending}), skipping blocked texts.
   *
   * @param scores the row's scores start at {@code offset} and run for {@code texts.size()}
   */
  static Top top(float[] scores, int offset, List<String> texts, int k, Set<String> blocked) {
    int[] order = Ranking.descending(scores, offset, texts.size());
    int size = Math.min(k, order.length);
    List<String> top = new ArrayList<>(size);
    float[] topScores = new float[size];
    for (int r = 0; r < order.length && top.size() < k; r++) {
      String t = texts.get(order[r]);
      if (!blocked.contains(t)) {
        topScores[top.size()] = scores[offset + order[r]];
        top.add(t);
      }
    }
    return new Top(
        top, top.size() == topScores.length ? topScores : Arrays.copyOf(topScores, top.size()));
  }
}
