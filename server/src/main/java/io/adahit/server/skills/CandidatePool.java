package io.adahit.server.skills;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * A skill's candidate replies and their embeddings, kept on the engine as one [d, N] matrix so
 * that scoring a batch of contexts is a single matrix product (ParlAI's
 * {@code --encode-candidate-vecs} with fixed candidates). Owns its manager; read-only once built,
 * so concurrent scoring is safe.
 */
public final class CandidatePool implements AutoCloseable {

  private final List<String> texts;
  private final NDManager manager;
  private final NDArray transposed;
  private final int dim;

  /**
   * @param texts the candidates, distinct, in file order
   * @param embeddings one row per text
   * @param manager a manager this pool takes over (closed with it)
   */
  public CandidatePool(List<String> texts, float[][] embeddings, NDManager manager) {
    if (texts.isEmpty()) {
      manager.close();
      throw new IllegalArgumentException("candidate pool: no candidates");
    }
    if (embeddings.length != texts.size()) {
      manager.close();
      throw new IllegalArgumentException("candidate pool: " + texts.size() + " texts but "
          + embeddings.length + " embeddings");
    }
    this.texts = List.copyOf(texts);
    this.manager = manager;
    this.dim = embeddings[0].length;
    float[] flat = new float[texts.size() * dim];
    for (int i = 0; i < embeddings.length; i++) {
      System.arraycopy(embeddings[i], 0, flat, i * dim, dim);
    }
    this.transposed = manager.create(flat, new Shape(texts.size(), dim)).transpose().duplicate();
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

  /** The embeddings as a [d, N] matrix: {@code contexts.matMul(matrix())} scores every candidate. */
  public NDArray matrix() {
    return transposed;
  }

  @Override
  public void close() {
    manager.close();
  }
}
