package io.adahit.eval.harness;

/** Where the candidates to rank come from: ParlAI's {@code -ecands}. */
public enum CandidateMode {
  /** Each example's own {@code label_candidates} (ParlAI's default for these tasks). */
  INLINE,
  /** The labels of the examples in the same batch: K = batch size. */
  BATCH,
  /** One fixed list for every example ({@code -fcp FILE}), encoded once. */
  FIXED
}
