package io.adahit.server.inference;

import io.adahit.agents.routing.SkillRouter;
import java.util.List;

/**
 * The ranked answer to a {@link TurnRequest}.
 *
 * @param skill the skill that answered (for a turn of a router skill: the skill it routed to)
 * @param candidates best first, at most topK, blocked texts left out
 * @param scores aligned with {@code candidates}
 * @param batchSize how many turns shared the forward pass
 * @param routing the router's decision when the turn's skill is a router skill, else null
 */
public record TurnResult(
    String skill,
    List<String> candidates,
    float[] scores,
    int batchSize,
    SkillRouter.Routing routing) {

  public TurnResult(String skill, List<String> candidates, float[] scores, int batchSize) {
    this(skill, candidates, scores, batchSize, null);
  }

  /** The reply: the best candidate. */
  public String text() {
    return candidates.isEmpty() ? "" : candidates.get(0);
  }
}
