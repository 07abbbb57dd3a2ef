package io.adahit.server.inference;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.adahit.agents.adapters.AdapterSet;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;

/**
 * Candidate embeddings that Rank calls computed, kept across calls, so that candidates that come
 * back are encoded once: an evaluation through the server ({@code eval_model --server}) sends each
 * of a task's candidates with many contexts (K = 100 lists drawn from one set of replies). Keyed by
 * the skill's adapters (by identity: a skill reloaded with new adapters never sees the old
 * embeddings; zero-shot skills share theirs), the candidate length and the text; bounded by memory
 * ({@code rank.candidateCacheMb}), each entry weighed with its text, so long candidates cannot fill
 * the heap; Caffeine's size-based eviction (W-TinyLFU) picks what goes. Its hits, misses and size
 * are metrics ({@code cache_gets_total{cache="adahit.rank.candidates"}}). Thread-safe.
 *
 * <pre>{@code
 * CandidateEmbeddings cache = new CandidateEmbeddings(64, registry);
 * float[] e = cache.get(skill.adapters(), skill.lengths().label(), text); // null: encode, put
 * }</pre>
 */
final class CandidateEmbeddings {

  private record Key(AdapterSet adapters, int length, String text) {}

  private final Cache<Key, float[]> cache; // null: keeps nothing

  /**
   * @param megabytes memory the kept embeddings and their texts may take; 0 keeps none
   * @param registry where its metrics go
   */
  CandidateEmbeddings(int megabytes, MeterRegistry registry) {
    if (megabytes < 0) {
      throw new IllegalArgumentException(
          "candidate embedding cache must be >= 0 MB, found " + megabytes);
    }
    if (megabytes == 0) {
      cache = null;
    } else {
      cache =
          Caffeine.newBuilder()
              .maximumWeight((long) megabytes << 20)
              .<Key, float[]>weigher((k, e) -> bytes(k.text(), e))
              .recordStats()
              .executor(Runnable::run) // evict on the calling thread, right after the write
              .build();
      CaffeineCacheMetrics.monitor(registry, cache, "adahit.rank.candidates");
    }
  }

  /** Heap one entry takes: the text's characters (UTF-16), the floats and object overheads. */
  static int bytes(String text, float[] embedding) {
    return (int) Math.min(Integer.MAX_VALUE, 2L * text.length() + 4L * embedding.length + 128);
  }

  /**
   * {@code text}'s embedding as a skill with {@code adapters} (null: zero-shot) encodes candidates
   * truncated to {@code length} word pieces, or null if not kept.
   */
  float[] get(AdapterSet adapters, int length, String text) {
    return cache == null ? null : cache.getIfPresent(new Key(adapters, length, text));
  }

  /** Keeps {@code embedding}, the candidate {@code text} as {@code adapters} encode it. */
  void put(AdapterSet adapters, int length, String text, float[] embedding) {
    if (cache != null) {
      cache.put(new Key(adapters, length, text), embedding);
    }
  }
}
