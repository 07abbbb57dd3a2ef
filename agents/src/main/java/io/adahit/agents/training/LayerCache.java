package io.adahit.agents.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.BertEncoder;
import io.adahit.agents.backbone.LayerHooks;
import io.adahit.agents.backbone.TokenBatch;
import io.adahit.agents.backbone.Truncation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * A fixed list of training texts, tokenised once and, when the adapters sit only in the top layers,
 * run once through the frozen layers below them: each text keeps the hidden states that enter its
 * first adapted layer ({@code level}), so every training step runs only the layers that hold
 * adapters. Level 0 keeps token ids only (adapters in every layer: nothing can be cached); level =
 * number of layers keeps the mean-pooled, unnormalised output (a linear head on the frozen
 * backbone, FE). Because padded positions are masked out of attention and pooling, the cached path
 * gives the same embeddings as the full forward pass (tested).
 *
 * <p>Memory: level L in (0, layers) holds (real tokens × d) floats per text.
 */
public final class LayerCache {

  private final Backbone backbone;
  private final int level;
  private final long[][] ids;
  private final float[][] states;

  LayerCache(Backbone backbone, int level, long[][] ids, float[][] states) {
    this.backbone = backbone;
    this.level = level;
    this.ids = ids;
    this.states = states;
  }

  /**
   * Tokenises {@code texts} and runs the frozen layers below {@code level}.
   *
   * @param level first layer the trained modules touch, 0..numLayers (numLayers = pooled output)
   * @param progress told the number of texts done after each batch (may be null)
   */
  public static LayerCache build(
      Backbone backbone,
      List<String> texts,
      int maxLength,
      Truncation truncation,
      int level,
      int batchSize,
      IntConsumer progress) {
    return build(backbone, texts, maxLength, truncation, level, batchSize, progress, null);
  }

  static LayerCache build(
      Backbone backbone,
      List<String> texts,
      int maxLength,
      Truncation truncation,
      int level,
      int batchSize,
      IntConsumer progress,
      CacheParts parts) {
    int layers = backbone.config().numLayers();
    if (level < 0 || level > layers) {
      throw new IllegalArgumentException(
          "layer cache: level must be in [0, " + layers + "], found " + level);
    }
    int max = Math.min(maxLength, backbone.config().maxPositions());
    long[][] ids = backbone.tokenizer().encodeRows(texts, max, truncation);
    if (level == 0) {
      if (progress != null) {
        progress.accept(texts.size());
      }
      return new LayerCache(backbone, 0, ids, null);
    }
    BertEncoder encoder = backbone.encoder();
    float[][] states =
        statesInBatches(
            backbone,
            ids,
            batchSize,
            progress,
            level == layers,
            parts,
            (m, batch, rows) ->
                level == layers
                    ? encoder.forward(m, batch, LayerHooks.NONE)
                    : encoder.forwardLayers(
                        m,
                        encoder.embed(m, batch),
                        encoder.attentionBias(m, batch),
                        0,
                        level,
                        LayerHooks.NONE));
    return new LayerCache(backbone, level, ids, states);
  }

  /**
   * The hidden states [batch, seq, d] of one padded batch; {@code rows[r]} is the text index of the
   * batch's row r.
   */
  private interface BatchWork {
    NDArray run(NDManager m, TokenBatch batch, int[] rows);
  }

  /**
   * Runs {@code work} over the texts in batches, longest first (little padding), reporting
   * progress, and keeps each text's states (see {@link #keep}; {@code pooled}: mean-pooled). With
   * {@code parts}, every {@link CacheParts#textsPerPart} texts are kept on disk as they finish, and
   * parts already there are read instead of run.
   */
  private static float[][] statesInBatches(
      Backbone backbone,
      long[][] ids,
      int batchSize,
      IntConsumer progress,
      boolean pooled,
      CacheParts parts,
      BatchWork work) {
    float[][] out = new float[ids.length][];
    int[] order =
        IntStream.range(0, ids.length)
            .boxed()
            .sorted(Comparator.comparingInt((Integer i) -> -ids[i].length))
            .mapToInt(Integer::intValue)
            .toArray();
    int partSize = CacheParts.textsPerPart(batchSize);
    for (int part = 0; part * partSize < order.length; part++) {
      int from = part * partSize;
      int to = Math.min(order.length, from + partSize);
      float[][] kept =
          parts == null ? null : parts.load(part, from, to - from, partSize, ids.length);
      if (kept != null) {
        for (int i = from; i < to; i++) {
          out[order[i]] = kept[i - from];
        }
        if (progress != null) {
          progress.accept(to);
        }
        continue;
      }
      for (int start = from; start < to; start += batchSize) {
        int end = Math.min(to, start + batchSize);
        int[] rows = Arrays.copyOfRange(order, start, end);
        long[][] chunk = new long[rows.length][];
        for (int r = 0; r < rows.length; r++) {
          chunk[r] = ids[rows[r]];
        }
        TokenBatch batch = backbone.tokenizer().pad(chunk);
        try (NDManager m = backbone.newManager()) {
          keep(backbone, work.run(m, batch, rows), batch, rows, pooled, out);
        }
        if (progress != null) {
          progress.accept(end);
        }
      }
      if (parts != null) {
        float[][] done = new float[to - from][];
        for (int i = from; i < to; i++) {
          done[i - from] = out[order[i]];
        }
        parts.save(part, from, partSize, ids.length, done);
      }
    }
    return out;
  }

  /**
   * Stores hidden states {@code x} [batch, seq, d] into {@code out}: each row's real tokens, or
   * with {@code pooled} each row's mean-pooled, unnormalised vector.
   */
  private static void keep(
      Backbone backbone, NDArray x, TokenBatch batch, int[] rows, boolean pooled, float[][] out) {
    int d = backbone.config().hiddenSize();
    float[] flat = (pooled ? BertEncoder.meanPool(x, batch, false) : x).toFloatArray();
    for (int r = 0; r < rows.length; r++) {
      int off = pooled ? r * d : r * batch.seqLen() * d;
      out[rows[r]] = Arrays.copyOfRange(flat, off, off + (pooled ? d : batch.lengths()[r] * d));
    }
  }

  /**
   * Like {@link #build}, but kept on disk under {@code dir} (null: not kept), keyed by the
   * backbone's fingerprint, the level, length, truncation and every text, so that runs on the same
   * data (Ada, AdaHIT base, AdaHIT task) compute the frozen layers once; see {@link
   * LayerCacheFiles}.
   */
  public static LayerCache buildOrLoad(
      Backbone backbone,
      List<String> texts,
      int maxLength,
      Truncation truncation,
      int level,
      int batchSize,
      Path dir,
      IntConsumer progress)
      throws IOException {
    return dir == null
        ? build(backbone, texts, maxLength, truncation, level, batchSize, progress)
        : LayerCacheFiles.buildOrLoad(
            backbone, texts, maxLength, truncation, level, batchSize, dir, progress);
  }

  /**
   * This cache's texts at a higher level, {@code target}: the frozen layers from this cache's level
   * up to {@code target} run on the kept states (for target = number of layers, then mean pooling),
   * which is what {@link #build} computes from the token ids, minus the layers already run. Used
   * when a run on the same data cached a lower level (e.g. FE after Ada).
   *
   * @param parts where finished parts are kept and read back (null: none)
   */
  LayerCache deepen(int target, int batchSize, IntConsumer progress, CacheParts parts) {
    int layers = backbone.config().numLayers();
    if (level == 0 || target <= level || target > layers) {
      throw new IllegalArgumentException(
          "layer cache: cannot deepen level " + level + " to " + target);
    }
    int d = backbone.config().hiddenSize();
    BertEncoder encoder = backbone.encoder();
    float[][] out =
        statesInBatches(
            backbone,
            ids,
            batchSize,
            progress,
            target == layers,
            parts,
            (m, batch, rows) -> {
              int seq = batch.seqLen();
              float[] flat = new float[rows.length * seq * d];
              for (int r = 0; r < rows.length; r++) {
                System.arraycopy(states[rows[r]], 0, flat, r * seq * d, states[rows[r]].length);
              }
              return encoder.forwardLayers(
                  m,
                  m.create(flat, new Shape(rows.length, seq, d)),
                  encoder.attentionBias(m, batch),
                  level,
                  target,
                  LayerHooks.NONE);
            });
    return new LayerCache(backbone, target, ids, out);
  }

  /** Number of texts. */
  public int size() {
    return ids.length;
  }

  /** Text {@code i}'s kept states (null at level 0). */
  float[] states(int i) {
    return states == null ? null : states[i];
  }

  /** The first layer not run yet: 0 keeps token ids only, the number of layers pooled outputs. */
  int level() {
    return level;
  }

  /** Text {@code i}'s token ids. */
  long[] ids(int i) {
    return ids[i];
  }

  /** Each text's length in word pieces (after truncation), by text index. */
  public int[] tokenCounts() {
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = ids[i].length;
    }
    return out;
  }

  /**
   * Embeddings of the texts at {@code rows} with {@code set}'s modules, [rows, d] on {@code m}: the
   * layers from {@code level} up with the set's hooks, mean pooling, the set's head, then
   * (optionally) L2 normalisation; differentiable w.r.t. the set's parameters.
   *
   * @throws IllegalArgumentException if the set adapts a layer below this cache's level
   */
  public NDArray encode(NDManager m, int[] rows, AdapterSet set, boolean normalize) {
    int layers = backbone.config().numLayers();
    int first = set.config().firstAdaptedLayer(layers);
    if (first < level) {
      throw new IllegalArgumentException(
          "layer cache: adapter '"
              + set.skill()
              + "' adapts layer "
              + first
              + ", below the cached level "
              + level);
    }
    long[][] chunk = new long[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      chunk[i] = ids[rows[i]];
    }
    TokenBatch batch = backbone.tokenizer().pad(chunk);
    if (level == 0) {
      return set.encode(m, batch, normalize);
    }
    int d = backbone.config().hiddenSize();
    NDArray pooled;
    if (level == layers) {
      float[] flat = new float[rows.length * d];
      for (int i = 0; i < rows.length; i++) {
        System.arraycopy(states[rows[i]], 0, flat, i * d, d);
      }
      pooled = m.create(flat, new Shape(rows.length, d));
    } else {
      int seq = batch.seqLen();
      float[] flat = new float[rows.length * seq * d];
      for (int i = 0; i < rows.length; i++) {
        float[] s = states[rows[i]];
        System.arraycopy(s, 0, flat, i * seq * d, s.length);
      }
      BertEncoder encoder = backbone.encoder();
      NDArray x = m.create(flat, new Shape(rows.length, seq, d));
      NDArray hidden =
          encoder.forwardLayers(m, x, encoder.attentionBias(m, batch), level, layers, set);
      pooled = BertEncoder.meanPool(hidden, batch, false);
    }
    NDArray e = set.head(pooled);
    return normalize ? e.div(e.norm(new int[] {1}, true).maximum(1e-12f)) : e;
  }
}
