package io.adahit.server.experiments;

import java.util.Locale;

/**
 * A client's verdict on a conversation or on one bot turn: a rating 1..5, a thumbs up or down, or
 * both. Built from the WebSocket payload {@code {"feedback": {"rating": 4, "thumbs": "up", "turn":
 * 2}}} or the gRPC FeedbackRequest.
 *
 * <pre>{@code
 * Feedback f = Feedback.of(null, "up", null);   // thumbs up for the whole conversation
 * }</pre>
 *
 * @param rating 1..5 or null
 * @param thumbsUp true up, false down, or null
 * @param turn 1-based bot reply of the current episode, or null for the whole conversation
 */
public record Feedback(Integer rating, Boolean thumbsUp, Integer turn) {

  /** Highest turn index accepted. */
  public static final int MAX_TURN = 100_000;

  public Feedback {
    if (rating == null && thumbsUp == null) {
      throw new IllegalArgumentException(
          "feedback needs a \"rating\" (1-5) or \"thumbs\" (\"up\" or \"down\"),"
              + " e.g. {\"feedback\": {\"rating\": 4}}");
    }
    if (rating != null && (rating < 1 || rating > 5)) {
      throw new IllegalArgumentException(
          "feedback \"rating\" must be an integer 1-5, found " + rating);
    }
    if (turn != null && (turn < 1 || turn > MAX_TURN)) {
      throw new IllegalArgumentException(
          "feedback \"turn\" must be 1.."
              + MAX_TURN
              + " (the bot reply rated, 1 = the"
              + " first of the episode), found "
              + turn);
    }
  }

  /**
   * @param thumbs "up", "down" (any case) or null
   * @throws IllegalArgumentException naming the bad field
   */
  public static Feedback of(Integer rating, String thumbs, Integer turn) {
    Boolean up = null;
    if (thumbs != null) {
      up =
          switch (thumbs.strip().toLowerCase(Locale.ROOT)) {
            case "up" -> true;
            case "down" -> false;
            default ->
                throw new IllegalArgumentException(
                    "feedback \"thumbs\" must be \"up\" or \"down\", found \"" + thumbs + "\"");
          };
    }
    return new Feedback(rating, up, turn);
  }

  /**
   * What a stored feedback event answers: its id and the variant it was stored with.
   *
   * @param experiment null when the conversation is in no experiment
   */
  public record Receipt(String id, String experiment, String variant) {}
}
