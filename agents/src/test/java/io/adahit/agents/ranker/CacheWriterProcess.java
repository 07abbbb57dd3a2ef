package io.adahit.agents.ranker;

import io.adahit.agents.backbone.EncodeOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A second process for {@link EmbeddingCacheConcurrencyTest}: encodes texts {@code 0..n-1} through
 * an {@link EmbeddingCache} on a shared folder, in a shuffled order and small calls, so that its
 * writes interleave with another process doing the same.
 *
 * <pre>{@code
 * java -cp <test classpath> io.adahit.agents.ranker.CacheWriterProcess /tmp/cache enc-1 1000 7
 * }</pre>
 */
public final class CacheWriterProcess {

  private CacheWriterProcess() {}

  /** The deterministic embedding every writer computes for {@code text}. */
  static float[] expected(String text) {
    float[] v = new float[8];
    int h = text.hashCode();
    for (int j = 0; j < v.length; j++) {
      v[j] = Math.floorMod(h * 31 + j * 7919, 10_007) / 10_007f;
    }
    return v;
  }

  static final TextEncoder ENCODER =
      (texts, opts) -> texts.stream().map(CacheWriterProcess::expected).toArray(float[][]::new);

  static String text(int i) {
    return "text number " + i;
  }

  /** Encodes texts 0..n-1 in shuffled calls of 1 to 16 texts. */
  static EmbeddingCache write(Path dir, String encoderId, int n, long seed) {
    EmbeddingCache cache = new EmbeddingCache(ENCODER, encoderId, dir);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    Random random = new Random(seed);
    Collections.shuffle(order, random);
    for (int start = 0; start < n; ) {
      int end = Math.min(n, start + 1 + random.nextInt(16));
      cache.encode(
          order.subList(start, end).stream().map(CacheWriterProcess::text).toList(),
          EncodeOptions.defaults());
      start = end;
    }
    return cache;
  }

  public static void main(String[] args) {
    EmbeddingCache c =
        write(Path.of(args[0]), args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]));
    System.out.println("encoded " + c.misses() + " cached " + c.hits());
  }
}
