package io.adahit.server.inference;

import java.util.List;

/**
 * The ranked answer to a {@link TurnRequest}.
 *
 * @param skill the skill that answered
 * @param candidates best first, at most topK, blocked texts left out
 * @param scores aligned with {@code candidates}
 * @param batchSize how many turns shared the forward pass
 */
public record TurnResult(String skill, List<String> candidates, float[] scores, int batchSize) {

  /** The reply: the best candidate. */
  public String text() {
    return candidates.isEmpty() ? "" : candidates.get(0);
  }
}
