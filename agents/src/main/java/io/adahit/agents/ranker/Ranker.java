package io.adahit.agents.ranker;

import java.util.List;

/**
 * A retrieval agent's scorer, as ParlAI's bi-encoder: encode the context and each candidate reply
 * through one {@link TextEncoder}, score by dot product, rank best first ({@link
 * BatchRanker#rank}). The evaluation harness ranks with it, and the server's gRPC Rank encodes with
 * it and scores with the same {@link BatchRanker#rank}; chat turns score against a skill's {@link
 * CandidateIndex} with {@link BatchRanker#top}.
 *
 * <pre>{@code
 * Ranker ranker = new Ranker(TextEncoder.of(backbone), RankerOptions.defaults());
 * Ranking r = ranker.rank("your persona: i like to ski.\nhi! what do you do for fun?",
 *     List.of("i love skiing.", "the weather is nice."));
 * }</pre>
 *
 * <p>{@link #rankAll} encodes every distinct candidate text of the call once, however many examples
 * share it (sampled negatives repeat a lot). Thread-safe if its encoder is.
 */
public final class Ranker {

  private final TextEncoder encoder;
  private final RankerOptions options;

  public Ranker(TextEncoder encoder, RankerOptions options) {
    this.encoder = encoder;
    this.options = options;
  }

  public RankerOptions options() {
    return options;
  }

  /** Ranks {@code candidates} for one context. */
  public Ranking rank(String context, List<String> candidates) {
    return rankAll(List.of(context), List.of(candidates)).get(0);
  }

  /**
   * Ranks each context's own candidate list ({@link BatchRanker#rank}).
   *
   * @throws IllegalArgumentException if the lists differ in length or a candidate list is empty
   */
  public List<Ranking> rankAll(List<String> contexts, List<List<String>> candidates) {
    if (contexts.size() != candidates.size()) {
      throw new IllegalArgumentException(
          "ranker: " + contexts.size() + " contexts but " + candidates.size() + " candidate lists");
    }
    for (int i = 0; i < candidates.size(); i++) {
      if (candidates.get(i).isEmpty()) {
        throw new IllegalArgumentException("ranker: example " + i + " has no candidates to rank");
      }
    }
    DistinctTexts distinct = DistinctTexts.of(candidates);
    float[][] ctx = encodeContexts(contexts);
    float[][] cand = encodeCandidates(distinct.texts());
    return BatchRanker.rank(ctx, cand, distinct.lists());
  }

  /** Context embeddings under the context options. */
  public float[][] encodeContexts(List<String> contexts) {
    return encoder.encode(contexts, options.context());
  }

  /** Candidate embeddings under the candidate options. */
  public float[][] encodeCandidates(List<String> candidates) {
    return encoder.encode(candidates, options.candidate());
  }
}
