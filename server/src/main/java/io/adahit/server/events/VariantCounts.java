package io.adahit.server.events;

/**
 * What the store holds for one variant of an experiment, summed: enough for every statistic of the
 * report (means and variances come from sums and sums of squares).
 *
 * @param conversations assignments to the variant
 * @param episodes finished episodes
 * @param turns exchanges over those episodes
 * @param ratings rating events; {@code ratingSum}, {@code ratingSquares} their sum and sum of
 *     squares
 * @param thumbsUp thumbs-up events; {@code thumbsDown} thumbs-down events
 * @param ratedConversations conversations with at least one feedback event
 */
public record VariantCounts(
    String variant,
    long conversations,
    long episodes,
    long turns,
    long ratings,
    long ratingSum,
    long ratingSquares,
    long thumbsUp,
    long thumbsDown,
    long ratedConversations) {

  /** Nothing recorded yet. */
  public static VariantCounts empty(String variant) {
    return new VariantCounts(variant, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  }
}
