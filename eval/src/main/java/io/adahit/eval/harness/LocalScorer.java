package io.adahit.eval.harness;

import io.adahit.agents.ranker.BatchRanker;
import io.adahit.agents.ranker.DistinctTexts;
import io.adahit.agents.ranker.EmbeddingCache;
import io.adahit.agents.ranker.Ranker;
import io.adahit.agents.ranker.RankerOptions;
import io.adahit.agents.ranker.Ranking;
import io.adahit.agents.ranker.TextEncoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Scores in this process: every context and every distinct candidate text of the call is encoded
 * once by a {@link Ranker}, longest first in chunks (so batches need little padding), optionally
 * through an on-disk {@link EmbeddingCache}; then each example is ranked by agents' {@link
 * BatchRanker#rank}, as the server's gRPC Rank ranks (and chat turns score against a pool up to
 * float rounding; see {@code OneRankerContractTest}).
 *
 * <pre>{@code
 * try (RankingModel m = RankingModel.skill(backbone, Path.of("skills"), "convai2")) {
 *   Scorer s = LocalScorer.of(m.encoder(), m.encoderId(), RankerOptions.defaults(), Path.of(".cache/embeddings"));
 *   Report r = new Evaluator(s, 32, false).evaluate(examples, CandidateMode.INLINE, List.of(), n -> {}, null);
 * }
 * }</pre>
 */
public final class LocalScorer implements Scorer {

  /** Texts per encode call: long enough to batch well, short enough for steady progress. */
  private static final int CHUNK = 512;

  private final Ranker ranker;
  private final EmbeddingCache cache;

  /** Scores with {@code ranker}, no cache counts. */
  public LocalScorer(Ranker ranker) {
    this(ranker, null);
  }

  private LocalScorer(Ranker ranker, EmbeddingCache cache) {
    this.ranker = ranker;
    this.cache = cache;
  }

  /**
   * @param encoderId the encoder's identity in the cache (see {@link RankingModel#encoderId()})
   * @param cacheDir the embedding cache folder, or null to encode everything
   */
  public static LocalScorer of(
      TextEncoder encoder, String encoderId, RankerOptions options, Path cacheDir) {
    if (cacheDir == null) {
      return new LocalScorer(new Ranker(encoder, options));
    }
    EmbeddingCache cache = new EmbeddingCache(encoder, encoderId, cacheDir);
    return new LocalScorer(new Ranker(cache, options), cache);
  }

  @Override
  public List<Scored> score(
      List<EvalExample> examples, List<List<String>> candidates, Evaluator.Progress progress) {
    float[][] ctx =
        encodeAll(
            examples.stream().map(EvalExample::context).toList(), ranker::encodeContexts, progress);
    DistinctTexts distinct = DistinctTexts.of(candidates);
    float[][] cand = encodeAll(distinct.texts(), ranker::encodeCandidates, progress);
    List<Scored> out = new ArrayList<>(examples.size());
    for (Ranking r : BatchRanker.rank(ctx, cand, distinct.lists())) {
      out.add(new Scored(r, null));
    }
    return out;
  }

  /** Contexts plus distinct candidate texts: what {@link #score} encodes (before the cache). */
  static long work(int examples, List<List<String>> candidates) {
    return examples + candidates.stream().flatMap(List::stream).distinct().count();
  }

  @Override
  public long encodedTexts() {
    return cache == null ? -1 : cache.misses();
  }

  @Override
  public long cachedTexts() {
    return cache == null ? -1 : cache.hits();
  }

  /** Encodes texts in chunks of similar length, reporting progress per chunk; input order kept. */
  private static float[][] encodeAll(
      List<String> texts, Function<List<String>, float[][]> encode, Evaluator.Progress progress) {
    Integer[] order = new Integer[texts.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingInt(i -> -texts.get(i).length()));
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
}
