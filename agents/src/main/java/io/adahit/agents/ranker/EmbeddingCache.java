package io.adahit.agents.ranker;

import io.adahit.agents.backbone.EncodeOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link TextEncoder} that remembers embeddings on disk, keyed by the SHA-256 of each text, in
 * append-only files per (encoder identity, encode options): a second run over the same texts
 * re-encodes nothing. The identity must change whenever the encoder does (backbone fingerprint,
 * adapter fingerprint), so a stale entry can never be served.
 *
 * <pre>{@code
 * TextEncoder cached = new EmbeddingCache(TextEncoder.of(backbone),
 *     backbone.fingerprint() + "/zero-shot", Path.of(".cache/embeddings"));
 * }</pre>
 *
 * <p>Several processes (a server and an evaluation, or the shards of one) may share a cache folder:
 * each instance appends to files of its own, reads only complete records, and before encoding a
 * miss looks at what the others have written since (see {@code EmbeddingFiles}), so concurrent
 * writers never corrupt the cache and rarely encode a text twice. Records are forced to disk after
 * each encode call; a record cut short by a crash is never read. Thread-safe.
 */
public final class EmbeddingCache implements TextEncoder {

  private final TextEncoder inner;
  private final String encoderId;
  private final Path dir;

  /** Names this instance's files: no other instance, here or in another process, writes them. */
  private final String writer =
      ProcessHandle.current().pid()
          + "-"
          + HexFormat.of().toHexDigits(new SecureRandom().nextInt());

  private final Map<String, EmbeddingFiles> stores = new HashMap<>();
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
    String key = sha256(encoderId + "\n" + options.withBatchSize(1));
    EmbeddingFiles store = stores.computeIfAbsent(key, k -> EmbeddingFiles.open(dir, k, writer));
    String[] keys = new String[texts.size()];
    for (int i = 0; i < texts.size(); i++) {
      keys[i] = sha256(texts.get(i));
    }
    float[][] out = new float[texts.size()][];
    if (lookUp(store.known(), keys, out) > 0) {
      store.refresh(); // another process may have encoded them meanwhile
      lookUp(store.known(), keys, out);
    }
    List<String> missing = new ArrayList<>();
    List<String> missingKeys = new ArrayList<>();
    Map<String, Integer> pending = new HashMap<>();
    for (int i = 0; i < texts.size(); i++) {
      if (out[i] == null && pending.putIfAbsent(keys[i], missing.size()) == null) {
        missing.add(texts.get(i));
        missingKeys.add(keys[i]);
      }
    }
    misses.addAndGet(missing.size());
    hits.addAndGet(texts.size() - missing.size());
    if (!missing.isEmpty()) {
      float[][] fresh = inner.encode(missing, options);
      store.append(missingKeys, fresh);
      for (int i = 0; i < out.length; i++) {
        if (out[i] == null) {
          out[i] = fresh[pending.get(keys[i])];
        }
      }
    }
    return out;
  }

  /**
   * The distinct texts of {@code texts}, in order, that are not in the cache yet for {@code
   * options}: what {@link #encode} would have to encode now. Encodes nothing (reads the cache
   * files).
   */
  public synchronized List<String> missing(List<String> texts, EncodeOptions options) {
    String key = sha256(encoderId + "\n" + options.withBatchSize(1));
    EmbeddingFiles store = stores.computeIfAbsent(key, k -> EmbeddingFiles.open(dir, k, writer));
    Map<String, String> absent = new java.util.LinkedHashMap<>();
    for (String t : texts) {
      String k = sha256(t);
      if (!store.known().containsKey(k)) {
        absent.putIfAbsent(k, t);
      }
    }
    if (!absent.isEmpty()) {
      store.refresh(); // another process may have encoded them meanwhile
      absent.keySet().removeIf(store.known()::containsKey);
    }
    return List.copyOf(absent.values());
  }

  /** Fills the rows of {@code out} that {@code known} holds; returns how many are still empty. */
  private static int lookUp(Map<String, float[]> known, String[] keys, float[][] out) {
    int empty = 0;
    for (int i = 0; i < keys.length; i++) {
      if (out[i] == null) {
        out[i] = known.get(keys[i]);
        empty += out[i] == null ? 1 : 0;
      }
    }
    return empty;
  }

  /** Texts served from the cache so far. */
  public long hits() {
    return hits.get();
  }

  /** Texts that had to be encoded so far. */
  public long misses() {
    return misses.get();
  }

  static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
