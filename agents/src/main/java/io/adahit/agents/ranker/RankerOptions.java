package io.adahit.agents.ranker;

import io.adahit.agents.adapters.TextLengths;
import io.adahit.agents.backbone.EncodeOptions;
import io.adahit.agents.backbone.Truncation;

/**
 * How a {@link Ranker} encodes its two sides.
 *
 * @param context options for dialogue contexts: truncated from the left (the latest turns stay), as
 *     ParlAI's {@code --text-truncate} does
 * @param candidate options for candidate replies: truncated from the right, as {@code
 *     --label-truncate}
 */
public record RankerOptions(EncodeOptions context, EncodeOptions candidate) {

  public RankerOptions {
    if (context == null || candidate == null) {
      throw new IllegalArgumentException(
          "ranker options: context and candidate options are required");
    }
  }

  /**
   * Context: 256 word pieces keeping the end; candidates: 128 keeping the start ({@link
   * TextLengths#DEFAULTS}); L2-normalised.
   */
  public static RankerOptions defaults() {
    EncodeOptions base = EncodeOptions.defaults();
    return new RankerOptions(
        base.withMaxLength(256).withTruncation(Truncation.KEEP_END),
        base.withMaxLength(128).withTruncation(Truncation.KEEP_START));
  }

  /** Contexts truncated to {@code n} word pieces instead (ParlAI's {@code --text-truncate}). */
  public RankerOptions withContextLength(int n) {
    return new RankerOptions(context.withMaxLength(n), candidate);
  }

  /** Contexts and candidates truncated to a skill's lengths ({@link TextLengths}). */
  public RankerOptions withLengths(TextLengths lengths) {
    return new RankerOptions(
        context.withMaxLength(lengths.text()), candidate.withMaxLength(lengths.label()));
  }

  public RankerOptions withBatchSize(int n) {
    return new RankerOptions(context.withBatchSize(n), candidate.withBatchSize(n));
  }
}
