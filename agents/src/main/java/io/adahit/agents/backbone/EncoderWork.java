package io.adahit.agents.backbone;

/**
 * What the encoder has run so far: texts (rows), real tokens and padded tokens (rows × padded
 * length) through full forward passes. Counts only grow; take the difference of two snapshots for
 * the work of one job, e.g. to compare an evaluation's tokens/s with the machine's roofline.
 *
 * <pre>{@code
 * EncoderWork before = backbone.encoder().work();
 * backbone.embed(texts, options);
 * EncoderWork done = backbone.encoder().work().minus(before);   // done.tokens() real tokens
 * }</pre>
 *
 * @param texts rows encoded
 * @param tokens real (non-padding) tokens encoded
 * @param paddedTokens tokens computed, padding included
 */
public record EncoderWork(long texts, long tokens, long paddedTokens) {

  public static final EncoderWork NONE = new EncoderWork(0, 0, 0);

  public EncoderWork minus(EncoderWork earlier) {
    return new EncoderWork(
        texts - earlier.texts, tokens - earlier.tokens, paddedTokens - earlier.paddedTokens);
  }

  public EncoderWork plus(EncoderWork other) {
    return new EncoderWork(
        texts + other.texts, tokens + other.tokens, paddedTokens + other.paddedTokens);
  }

  /** Real tokens per second over {@code seconds} (0 when no time passed). */
  public double tokensPerSecond(double seconds) {
    return seconds > 0 ? tokens / seconds : 0;
  }
}
