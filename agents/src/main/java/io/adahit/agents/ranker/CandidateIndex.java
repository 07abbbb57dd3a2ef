package io.adahit.agents.ranker;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * A skill's encoded candidate pool: the candidate replies and their embeddings, kept on the engine
 * as one [d, N] matrix so that {@link BatchRanker#top} scores a batch of contexts against every
 * candidate with one matrix product (ParlAI's {@code --encode-candidate-vecs} with fixed
 * candidates). Built once from embeddings a caller encoded (the server encodes them through its
 * embedding cache); owns its manager; read-only once built, so concurrent scoring is safe. With
 * {@link PoolPrecision#INT8} the embeddings are kept as an [N, d] matrix of 8-bit integers with one
 * scale per candidate (a quarter of the memory; scores differ from fp32's by rounding), and a
 * product widens {@value #INT8_BLOCK} candidates at a time to fp32, so that each widened block is
 * still in cache when the product reads it and no pool-sized fp32 copy is ever made.
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

  /** Candidates an INT8 product widens at a time (1.5 MB of fp32 at d = 384). */
  static final int INT8_BLOCK = 1024;

  private final NDArray matrix; // FP32: [d, N]; INT8: [N, d]
  private final float[] scales; // INT8 only
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
      // [N, d] bytes, so that a block of candidates is a contiguous row range
      byte[] q = new byte[n * dim];
      float[] scale = new float[n];
      for (int i = 0; i < n; i++) {
        float max = 0;
        for (int j = 0; j < dim; j++) {
          max = Math.max(max, Math.abs(flat[i * dim + j]));
        }
        scale[i] = max > 0 ? max / 127f : 1f;
        for (int j = 0; j < dim; j++) {
          q[i * dim + j] = (byte) Math.round(flat[i * dim + j] / scale[i]);
        }
      }
      this.matrix = manager.create(q, new Shape(n, dim)); // DataType.INT8
      this.scales = scale;
      return;
    }
    this.scales = null;
    // only the contiguous [d, N] copy stays: the row-major array and its transposed view are freed
    // (kept, they would hold a second copy of the pool for the index's lifetime)
    try (NDArray rows = manager.create(flat, new Shape(n, dim));
        NDArray view = rows.transpose()) {
      this.matrix = view.duplicate();
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
    return matrix.isReleased();
  }

  /** How the embeddings are stored. */
  public PoolPrecision precision() {
    return precision;
  }

  /** Bytes the stored embeddings take (INT8: on the engine, plus its scales on the Java heap). */
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
      return contexts.matMul(matrix).toFloatArray();
    }
    int n = texts.size();
    int rows = Math.toIntExact(contexts.getShape().get(0));
    float[] out = new float[rows * n];
    for (int start = 0; start < n; start += INT8_BLOCK) {
      int b = Math.min(INT8_BLOCK, n - start);
      try (NDManager m = contexts.getManager().newSubManager()) {
        NDArray block = matrix.get(new NDIndex("{}:{}", start, start + b));
        block.attach(m);
        NDArray widened = block.toType(DataType.FLOAT32, false);
        widened.attach(m);
        NDArray raw = contexts.matMul(widened.transpose()); // [rows, b]
        raw.attach(m);
        float[] r = raw.toFloatArray();
        for (int i = 0; i < rows; i++) {
          for (int c = 0; c < b; c++) {
            out[i * n + start + c] = r[i * b + c] * scales[start + c];
          }
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    manager.close();
  }
}
