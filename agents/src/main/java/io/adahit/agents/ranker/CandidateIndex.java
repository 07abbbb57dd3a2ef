package io.adahit.agents.ranker;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * A skill's encoded candidate pool: the candidate replies and their embeddings, kept on the engine
 * as one [d, N] matrix so that {@link BatchRanker#top} scores a batch of contexts against every
 * candidate with one matrix product (ParlAI's {@code --encode-candidate-vecs} with fixed
 * candidates). Built once from embeddings a caller encoded (the server encodes them through its
 * embedding cache); owns its manager; read-only once built, so concurrent scoring is safe. With
 * {@link PoolPrecision#INT8} the matrix is kept as 8-bit integers with one scale per candidate and
 * widened to fp32 for each product (a quarter of the memory; scores differ from fp32's by
 * rounding).
 *
 * <pre>{@code
 * try (CandidateIndex pool = new CandidateIndex(texts, ranker.encodeCandidates(texts), backbone.newManager())) {
 *   List<BatchRanker.Top> tops = batchRanker.top(rows, List.of(new BatchRanker.Segment(0, rows.length, null, pool)), wants, null);
 * }
 * }</pre>
 */
public final class CandidateIndex implements AutoCloseable {

  private final List<String> texts;
  private final NDManager manager;
  private final NDArray transposed;
  private final NDArray scales; // [1, N], INT8 only
  private final PoolPrecision precision;
  private final int dim;

  /** An fp32 index; see {@link #CandidateIndex(List, float[][], NDManager, PoolPrecision)}. */
  public CandidateIndex(List<String> texts, float[][] embeddings, NDManager manager) {
    this(texts, embeddings, manager, PoolPrecision.FP32);
  }

  /**
   * @param texts the candidates, in file order
   * @param embeddings one row per text
   * @param manager a manager this index takes over (closed with it, also when this constructor
   *     throws)
   * @param precision how the embeddings are stored
   */
  public CandidateIndex(
      List<String> texts, float[][] embeddings, NDManager manager, PoolPrecision precision) {
    this.precision = precision;
    if (texts.isEmpty()) {
      manager.close();
      throw new IllegalArgumentException("candidate index: no candidates");
    }
    if (embeddings.length != texts.size()) {
      manager.close();
      throw new IllegalArgumentException(
          "candidate index: " + texts.size() + " texts but " + embeddings.length + " embeddings");
    }
    this.texts = List.copyOf(texts);
    this.manager = manager;
    this.dim = embeddings[0].length;
    float[] flat = new float[texts.size() * dim];
    for (int i = 0; i < embeddings.length; i++) {
      if (embeddings[i].length != dim) {
        manager.close();
        throw new IllegalArgumentException(
            "candidate index: embedding "
                + i
                + " has "
                + embeddings[i].length
                + " values, the first has "
                + dim);
      }
      System.arraycopy(embeddings[i], 0, flat, i * dim, dim);
    }
    int n = texts.size();
    if (precision == PoolPrecision.INT8) {
      // [d, N] bytes written column by column, so only the integer copy reaches the engine
      byte[] q = new byte[n * dim];
      float[] scale = new float[n];
      for (int i = 0; i < n; i++) {
        float max = 0;
        for (int j = 0; j < dim; j++) {
          max = Math.max(max, Math.abs(flat[i * dim + j]));
        }
        scale[i] = max > 0 ? max / 127f : 1f;
        for (int j = 0; j < dim; j++) {
          q[j * n + i] = (byte) Math.round(flat[i * dim + j] / scale[i]);
        }
      }
      this.transposed = manager.create(q, new Shape(dim, n)); // DataType.INT8
      this.scales = manager.create(scale, new Shape(1, n));
      return;
    }
    this.scales = null;
    // only the contiguous [d, N] copy stays: the row-major array and its transposed view are freed
    // (kept, they would hold a second copy of the pool for the index's lifetime)
    try (NDArray rows = manager.create(flat, new Shape(n, dim));
        NDArray view = rows.transpose()) {
      this.transposed = view.duplicate();
    }
  }

  public List<String> texts() {
    return texts;
  }

  public int size() {
    return texts.size();
  }

  public int dim() {
    return dim;
  }

  /** True once {@link #close} has freed the embeddings. */
  public boolean isClosed() {
    return transposed.isReleased();
  }

  /** How the embeddings are stored. */
  public PoolPrecision precision() {
    return precision;
  }

  /** Bytes the stored embeddings take on the engine. */
  public long storedBytes() {
    long values = (long) dim * texts.size();
    return precision == PoolPrecision.INT8 ? values + 4L * texts.size() : 4L * values;
  }

  /**
   * Scores of every context row against every candidate: {@code contexts} [rows, d] times the [d,
   * N] matrix, row-major, {@code rows * N} values.
   */
  float[] scores(NDArray contexts) {
    if (precision == PoolPrecision.FP32) {
      return contexts.matMul(transposed).toFloatArray();
    }
    try (NDManager m = contexts.getManager().newSubManager()) {
      NDArray widened = transposed.toType(DataType.FLOAT32, true);
      widened.attach(m);
      NDArray raw = contexts.matMul(widened);
      raw.attach(m);
      NDArray scaled = raw.mul(scales);
      scaled.attach(m);
      return scaled.toFloatArray();
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
