package io.adahit.server.inference;

import io.adahit.server.skills.Skill;
import java.util.Set;

/**
 * One conversation turn to answer: the context (history joined by the delimiter) is encoded with
 * the skill's adapters and scored against the skill's candidate pool.
 *
 * @param skill the conversation's skill
 * @param context what the ranker encodes
 * @param blocked candidate texts that must not be returned (ParlAI's repeat blocking)
 * @param topK how many ranked candidates to return
 */
public record TurnRequest(Skill skill, String context, Set<String> blocked, int topK) {
  public TurnRequest {
    if (skill == null || context == null) {
      throw new IllegalStateException("turn request: skill and context are required");
    }
    if (topK < 1) {
      throw new IllegalStateException("turn request: topK must be >= 1, found " + topK);
    }
    blocked = blocked == null ? Set.of() : Set.copyOf(blocked);
  }
}
