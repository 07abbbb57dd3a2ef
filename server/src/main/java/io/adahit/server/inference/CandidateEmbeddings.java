package io.adahit.server.inference;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.adapters.TextLengths;
import io.adahit.server.skills.Skill;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;

/**
 * Candidate embeddings that Rank calls computed, kept across calls, so that candidates that come
 * back are encoded once: an evaluation through the server ({@code eval_model --server}) sends each
 * of a task's candidates with many contexts (K = 100 lists drawn from one set of replies). Keyed by
 * the skill's adapters (by identity: a skill reloaded with new adapters never sees the old
 * embeddings; zero-shot skills share theirs), its lengths and the text; at most {@code
 * rank.cachedCandidates} entries, Caffeine's size-based eviction dropping the least useful. Its
 * hits, misses and size are metrics ({@code cache_gets_total{cache="adahit.rank.candidates"}}).
 * Thread-safe.
 *
 * <pre>{@code
 * CandidateEmbeddings cache = new CandidateEmbeddings(50_000, registry);
 * float[] e = cache.get(skill, text);   // null: encode it, then cache.put(skill, text, e)
 * }</pre>
 */
final class CandidateEmbeddings {

  private record Key(AdapterSet adapters, TextLengths lengths, String text) {}

  private final Cache<Key, float[]> cache; // null: keeps nothing

  /**
   * @param maxEntries embeddings kept; 0 keeps none
   * @param registry where its metrics go
   */
  CandidateEmbeddings(int maxEntries, MeterRegistry registry) {
    if (maxEntries < 0) {
      throw new IllegalArgumentException(
          "candidate embeddings kept must be >= 0, found " + maxEntries);
    }
    if (maxEntries == 0) {
      cache = null;
    } else {
      cache = Caffeine.newBuilder().maximumSize(maxEntries).recordStats().build();
      CaffeineCacheMetrics.monitor(registry, cache, "adahit.rank.candidates");
    }
  }

  /** {@code text}'s embedding as {@code skill} encodes candidates, or null if not kept. */
  float[] get(Skill skill, String text) {
    return cache == null ? null : cache.getIfPresent(key(skill, text));
  }

  /** Keeps {@code embedding}, {@code skill}'s encoding of the candidate {@code text}. */
  void put(Skill skill, String text, float[] embedding) {
    if (cache != null) {
      cache.put(key(skill, text), embedding);
    }
  }

  private static Key key(Skill skill, String text) {
    return new Key(skill.adapters(), skill.lengths(), text);
  }
}
