package io.adahit.server.chat;

import io.adahit.agents.routing.SkillRouter;
import java.util.List;

/**
 * The agent's answer to one turn, as ParlAI's ranker replies: {@code text} is the best candidate,
 * {@code textCandidates} the ranked list with {@code scores}.
 *
 * @param skill the skill that answered (on a router skill's conversation: the skill it routed this
 *     turn to)
 * @param episodeDone true when this reply closed the episode
 * @param routing the router's decision on a router skill's conversation, else null
 */
public record Reply(
    String conversationId,
    String skill,
    String text,
    List<String> textCandidates,
    float[] scores,
    boolean episodeDone,
    SkillRouter.Routing routing) {

  public Reply(
      String conversationId,
      String skill,
      String text,
      List<String> textCandidates,
      float[] scores,
      boolean episodeDone) {
    this(conversationId, skill, text, textCandidates, scores, episodeDone, null);
  }

  public static Reply notice(
      String conversationId, String skill, String text, boolean episodeDone) {
    return new Reply(conversationId, skill, text, List.of(), new float[0], episodeDone);
  }

  /**
   * The reply payload's routing fields: {@code router} and {@code routing} (skill → probability);
   * empty if not routed.
   */
  public java.util.Map<String, Object> routingPayload(String router) {
    if (routing == null) {
      return java.util.Map.of();
    }
    return java.util.Map.of("router", router, "routing", routing.probabilities());
  }
}
