package io.adahit.agents.ranker;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * A skill's encoded candidate pool: the candidate replies and their embeddings, kept on the engine
 * as one [d, N] matrix so that {@link BatchRanker#top} scores a batch of contexts against every
 * candidate with one matrix product (ParlAI's {@code --encode-candidate-vecs} with fixed
 * candidates). Built once from embeddings a caller encoded (the server encodes them through its
 * embedding cache); owns its manager; read-only once built, so concurrent scoring is safe.
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
  private final int dim;

  /**
   * @param texts the candidates, in file order
   * @param embeddings one row per text
   * @param manager a manager this index takes over (closed with it, also when this constructor
   *     throws)
   */
  public CandidateIndex(List<String> texts, float[][] embeddings, NDManager manager) {
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
    // only the contiguous [d, N] copy stays: the row-major array and its transposed view are freed
    // (kept, they would hold a second copy of the pool for the index's lifetime)
    try (NDArray rows = manager.create(flat, new Shape(texts.size(), dim));
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

  /**
   * Scores of every context row against every candidate: {@code contexts} [rows, d] times the [d,
   * N] matrix, row-major, {@code rows * N} values.
   */
  float[] scores(NDArray contexts) {
    return contexts.matMul(transposed).toFloatArray();
  }

  @Override
  public void close() {
    manager.close();
  }
}
