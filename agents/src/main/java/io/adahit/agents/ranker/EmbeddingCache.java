package io.adahit.agents.ranker;

import io.adahit.agents.backbone.EncodeOptions;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link TextEncoder} that remembers embeddings on disk, keyed by the SHA-256 of each text, in
 * one append-only file per (encoder identity, encode options): a second run over the same texts
 * re-encodes nothing. The identity must change whenever the encoder does (backbone fingerprint,
 * adapter fingerprint), so a stale entry can never be served.
 *
 * <pre>{@code
 * TextEncoder cached = new EmbeddingCache(TextEncoder.of(backbone),
 *     backbone.fingerprint() + "/zero-shot", Path.of(".cache/embeddings"));
 * }</pre>
 *
 * <p>File format: a record per text, {@code [32-byte text hash][int32 d][d float32]} little
 * endian. Records are appended and forced to disk after each encode call; a record cut short by
 * a crash is dropped on the next load. Thread-safe.
 */
public final class EmbeddingCache implements TextEncoder {

  private final TextEncoder inner;
  private final String encoderId;
  private final Path dir;
  private final Map<Path, Map<String, float[]>> loaded = new HashMap<>();
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();

  /**
   * @param inner the encoder whose results are cached
   * @param encoderId identity of {@code inner}: everything its output depends on besides options
   * @param dir folder of the cache files (created on first write)
   */
  public EmbeddingCache(TextEncoder inner, String encoderId, Path dir) {
    this.inner = inner;
    this.encoderId = encoderId;
    this.dir = dir;
  }

  @Override
  public synchronized float[][] encode(List<String> texts, EncodeOptions options) {
    // the batch size does not change results, so it is not part of the key
    Path file = dir.resolve(sha256(encoderId + "\n" + options.withBatchSize(1)) + ".emb");
    Map<String, float[]> known = loaded.computeIfAbsent(file, EmbeddingCache::load);
    float[][] out = new float[texts.size()][];
    List<String> missing = new ArrayList<>();
    List<String> missingKeys = new ArrayList<>();
    Map<String, Integer> pending = new HashMap<>();
    String[] keys = new String[texts.size()];
    for (int i = 0; i < texts.size(); i++) {
      keys[i] = sha256(texts.get(i));
      out[i] = known.get(keys[i]);
      if (out[i] == null && pending.putIfAbsent(keys[i], missing.size()) == null) {
        missing.add(texts.get(i));
        missingKeys.add(keys[i]);
      }
    }
    misses.addAndGet(missing.size());
    hits.addAndGet(texts.size() - missing.size());
    if (!missing.isEmpty()) {
      float[][] fresh = inner.encode(missing, options);
      append(file, missingKeys, fresh);
      for (int j = 0; j < fresh.length; j++) {
        known.put(missingKeys.get(j), fresh[j]);
      }
      for (int i = 0; i < out.length; i++) {
        if (out[i] == null) {
          out[i] = fresh[pending.get(keys[i])];
        }
      }
    }
    return out;
  }

  /** Texts served from the cache so far. */
  public long hits() {
    return hits.get();
  }

  /** Texts that had to be encoded so far. */
  public long misses() {
    return misses.get();
  }

  private static Map<String, float[]> load(Path file) {
    Map<String, float[]> m = new HashMap<>();
    if (!Files.isRegularFile(file)) {
      return m;
    }
    try (InputStream raw = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw, 1 << 16))) {
      byte[] hash = new byte[32];
      while (true) {
        try {
          in.readFully(hash);
          int d = Integer.reverseBytes(in.readInt());
          if (d <= 0 || d > 65536) {
            break; // corrupt tail: stop, the rest is re-encoded
          }
          byte[] body = new byte[4 * d];
          in.readFully(body);
          float[] v = new float[d];
          ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
          m.put(HexFormat.of().formatHex(hash), v);
        } catch (EOFException e) {
          break; // a record cut short by a crash
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("embedding cache " + file + " cannot be read: " + e.getMessage(), e);
    }
    return m;
  }

  private static void append(Path file, List<String> keys, float[][] vectors) {
    try {
      Files.createDirectories(file.getParent());
      int bytes = 0;
      for (float[] v : vectors) {
        bytes += 32 + 4 + 4 * v.length;
      }
      ByteBuffer buf = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < vectors.length; i++) {
        buf.put(HexFormat.of().parseHex(keys.get(i)));
        buf.putInt(vectors[i].length);
        for (float f : vectors[i]) {
          buf.putFloat(f);
        }
      }
      buf.flip();
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
          StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("embedding cache " + file + " cannot be written: " + e.getMessage(), e);
    }
  }

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
