package io.adahit.eval.metrics;

/**
 * The ranking outcome of one example: where its gold label landed among its candidates.
 *
 * <p>{@code rank} is 1-based (ParlAI's {@code rank} = 1 + 0-based position), so {@code mrr} is
 * {@code 1 / rank} and {@code hits@k} is 1 when {@code rank <= k}; as in ParlAI, that holds for
 * every k, so with fewer than k candidates hits@k is 1 (a ConvAI2 hits@100 of 1.0 tells nothing).
 *
 * <pre>{@code
 * ExampleMetrics m = new ExampleMetrics("convai2 ep 0 ex 0", 3, 20);
 * m.hitsAt(1);    // 0
 * m.hitsAt(5);    // 1
 * m.mrr();        // 0.333...
 * }</pre>
 *
 * @param exampleId names the example in messages and logs
 * @param rank 1-based position of the best-ranked candidate matching a label
 * @param numCandidates how many candidates were ranked (K)
 */
public record ExampleMetrics(String exampleId, int rank, int numCandidates) {

  public ExampleMetrics {
    if (exampleId == null) {
      throw new IllegalArgumentException("exampleId must not be null");
    }
    if (numCandidates < 1) {
      throw new IllegalArgumentException(
          "example '" + exampleId + "': numCandidates must be >= 1, found " + numCandidates);
    }
    if (rank < 1 || rank > numCandidates) {
      throw new IllegalArgumentException(
          "example '" + exampleId + "': rank must be in 1.." + numCandidates + ", found " + rank);
    }
  }

  /** 1 when the top candidate matches a label (ParlAI's {@code accuracy} for a ranker). */
  public int accuracy() {
    return rank == 1 ? 1 : 0;
  }

  /** 1 when a label is within the first {@code k} ranked candidates, else 0. */
  public int hitsAt(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, found " + k);
    }
    return rank <= k ? 1 : 0;
  }

  /** Reciprocal rank, {@code 1 / rank}. */
  public double mrr() {
    return 1.0 / rank;
  }
}
