package io.adahit.agents.training;

/**
 * One (context, reply) example for a bi-encoder: the dialogue history the agent sees, built as the
 * eval teachers build it, and the gold reply.
 */
public record TrainingPair(String context, String reply) {

  public TrainingPair {
    if (context == null || reply == null) {
      throw new IllegalArgumentException(
          "training pair: context and reply are required, found "
              + (context == null ? "no context" : "no reply"));
    }
  }
}
