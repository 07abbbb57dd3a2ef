package io.adahit.server.events;

/**
 * A client's rating, stored with the variant that served the conversation.
 *
 * @param experiment null when the conversation is in no experiment (then variant is null too)
 * @param episode the conversation's episode index when the feedback came
 * @param turn 1-based bot reply of the episode rated; null = the whole conversation
 * @param rating 1..5, or null
 * @param thumbsUp true up, false down, or null; at least one of rating and thumbs
 */
public record FeedbackRecord(
    String conversationId,
    String experiment,
    String variant,
    String skill,
    int episode,
    Integer turn,
    Integer rating,
    Boolean thumbsUp)
    implements EpisodeEventRows.EpisodeEvent {

  public FeedbackRecord {
    if (conversationId == null || skill == null) {
      throw new IllegalStateException("feedback record: conversation id and skill are required");
    }
    if ((experiment == null) != (variant == null)) {
      throw new IllegalStateException(
          "feedback record: experiment and variant go together, found "
              + experiment
              + " / "
              + variant);
    }
    if (rating == null && thumbsUp == null) {
      throw new IllegalStateException("feedback record: a rating or a thumbs up/down is required");
    }
    if (rating != null && (rating < 1 || rating > 5)) {
      throw new IllegalStateException("feedback record: rating must be in 1..5, found " + rating);
    }
  }
}
