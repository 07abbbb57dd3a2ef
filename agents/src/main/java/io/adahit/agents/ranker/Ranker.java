package io.adahit.agents.ranker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A retrieval agent's scorer, as ParlAI's bi-encoder: encode the context and each candidate
 * reply, score by dot product, rank best first. The same code ranks for the server and for the
 * evaluation harness, so the harness measures exactly what is served.
 *
 * <pre>{@code
 * Ranker ranker = new Ranker(TextEncoder.of(backbone), RankerOptions.defaults());
 * Ranking r = ranker.rank("your persona: i like to ski.\nhi! what do you do for fun?",
 *     List.of("i love skiing.", "the weather is nice."));
 * }</pre>
 *
 * <p>{@link #rankAll} encodes every distinct candidate text of the call once, however many
 * examples share it (sampled negatives repeat a lot). Thread-safe if its encoder is.
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
   * Ranks each context's own candidate list.
   *
   * @throws IllegalArgumentException if the lists differ in length or a candidate list is empty
   */
  public List<Ranking> rankAll(List<String> contexts, List<List<String>> candidates) {
    if (contexts.size() != candidates.size()) {
      throw new IllegalArgumentException("ranker: " + contexts.size() + " contexts but "
          + candidates.size() + " candidate lists");
    }
    Map<String, Integer> distinct = new LinkedHashMap<>();
    for (int i = 0; i < candidates.size(); i++) {
      if (candidates.get(i).isEmpty()) {
        throw new IllegalArgumentException("ranker: example " + i + " has no candidates to rank");
      }
      for (String c : candidates.get(i)) {
        distinct.putIfAbsent(c, distinct.size());
      }
    }
    float[][] ctx = encodeContexts(contexts);
    float[][] cand = encodeCandidates(new ArrayList<>(distinct.keySet()));
    List<Ranking> out = new ArrayList<>(contexts.size());
    for (int i = 0; i < contexts.size(); i++) {
      List<String> cs = candidates.get(i);
      float[] scores = new float[cs.size()];
      for (int j = 0; j < scores.length; j++) {
        scores[j] = dot(ctx[i], cand[distinct.get(cs.get(j))]);
      }
      out.add(Ranking.of(scores));
    }
    return out;
  }

  /** Context embeddings under the context options. */
  public float[][] encodeContexts(List<String> contexts) {
    return encoder.encode(contexts, options.context());
  }

  /** Candidate embeddings under the candidate options. */
  public float[][] encodeCandidates(List<String> candidates) {
    return encoder.encode(candidates, options.candidate());
  }

  /** Scores of one context embedding against an encoded candidate matrix. */
  public static Ranking score(float[] context, float[][] candidates) {
    float[] scores = new float[candidates.length];
    for (int j = 0; j < scores.length; j++) {
      scores[j] = dot(context, candidates[j]);
    }
    return Ranking.of(scores);
  }

  static float dot(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("ranker: embedding sizes differ, " + a.length + " vs " + b.length);
    }
    float s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
