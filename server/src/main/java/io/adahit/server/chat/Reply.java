package io.adahit.server.chat;

import java.util.List;

/**
 * The agent's answer to one turn, as ParlAI's ranker replies: {@code text} is the best candidate,
 * {@code textCandidates} the ranked list with {@code scores}.
 *
 * @param episodeDone true when this reply closed the episode
 */
public record Reply(String conversationId, String skill, String text, List<String> textCandidates,
    float[] scores, boolean episodeDone) {

  public static Reply notice(String conversationId, String skill, String text, boolean episodeDone) {
    return new Reply(conversationId, skill, text, List.of(), new float[0], episodeDone);
  }
}
