package io.adahit.agents.backbone;

/**
 * How texts are encoded into sentence embeddings.
 *
 * @param maxLength longest input in word pieces, special tokens included; longer text is truncated
 *     (sentence-transformers uses 256 for all-MiniLM-L6-v2)
 * @param truncation which end of an over-long text is kept
 * @param normalize L2-normalise the pooled embedding
 * @param batchSize texts per forward pass; longer lists are split (after sorting by length, so that
 *     rows of a batch need little padding)
 */
public record EncodeOptions(
    int maxLength, Truncation truncation, boolean normalize, int batchSize) {

  public EncodeOptions {
    if (maxLength < 2) {
      throw new IllegalArgumentException(
          "encode options: max length must be >= 2, found " + maxLength);
    }
    if (truncation == null) {
      throw new IllegalArgumentException("encode options: truncation is required");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException(
          "encode options: batch size must be >= 1, found " + batchSize);
    }
  }

  /** 256 word pieces, keep the start, L2-normalised, batches of 32. */
  public static EncodeOptions defaults() {
    return new EncodeOptions(256, Truncation.KEEP_START, true, 32);
  }

  public EncodeOptions withMaxLength(int n) {
    return new EncodeOptions(n, truncation, normalize, batchSize);
  }

  public EncodeOptions withTruncation(Truncation t) {
    return new EncodeOptions(maxLength, t, normalize, batchSize);
  }

  public EncodeOptions withNormalize(boolean n) {
    return new EncodeOptions(maxLength, truncation, n, batchSize);
  }

  public EncodeOptions withBatchSize(int n) {
    return new EncodeOptions(maxLength, truncation, normalize, n);
  }
}
