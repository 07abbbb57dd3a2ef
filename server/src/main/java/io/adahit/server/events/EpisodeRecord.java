package io.adahit.server.events;

/**
 * A finished episode of a conversation and its length.
 *
 * @param experiment null when the conversation is in no experiment (then variant is null too)
 * @param turns exchanges (user turn + bot reply) in the episode
 */
public record EpisodeRecord(
    String conversationId, String experiment, String variant, String skill, int episode, int turns)
    implements EpisodeEventRows.EpisodeEvent {

  public EpisodeRecord {
    if (conversationId == null || skill == null) {
      throw new IllegalStateException("episode record: conversation id and skill are required");
    }
    if (turns < 0) {
      throw new IllegalStateException("episode record: turns must be >= 0, found " + turns);
    }
  }
}
