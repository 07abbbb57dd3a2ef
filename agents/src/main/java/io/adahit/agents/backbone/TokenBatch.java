package io.adahit.agents.backbone;

/**
 * Word-piece ids of a batch of texts, padded to the longest one, row-major [batchSize, seqLen].
 *
 * @param batchSize number of texts
 * @param seqLen padded length (the longest text in the batch, special tokens included)
 * @param ids token ids, {@code [CLS] ... [SEP] [PAD]...} per row
 * @param attentionMask 1 for real tokens, 0 for padding
 * @param lengths real length of each row
 */
public record TokenBatch(
    int batchSize, int seqLen, long[] ids, long[] attentionMask, int[] lengths) {

  public TokenBatch {
    if (ids.length != (long) batchSize * seqLen
        || attentionMask.length != ids.length
        || lengths.length != batchSize) {
      throw new IllegalArgumentException(
          "token batch: arrays do not match [" + batchSize + ", " + seqLen + "]");
    }
  }

  /** The ids of row {@code i} without padding. */
  public long[] row(int i) {
    long[] r = new long[lengths[i]];
    System.arraycopy(ids, i * seqLen, r, 0, lengths[i]);
    return r;
  }

  /** Number of real (non-padding) tokens in the batch. */
  public long realTokens() {
    long n = 0;
    for (int l : lengths) {
      n += l;
    }
    return n;
  }
}
