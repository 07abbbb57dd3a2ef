package io.adahit.agents.training;

import java.util.List;

/**
 * One skill's data for a training run: the pairs it trains on and a held-out slice of the same
 * training files for periodic validation (never an evaluation split).
 *
 * @param name the skill (task) name, e.g. {@code convai2}
 * @param train training pairs
 * @param valid held-out pairs for validation hits@1 (may be empty)
 */
public record TrainingTask(String name, List<TrainingPair> train, List<TrainingPair> valid) {

  public TrainingTask {
    train = List.copyOf(train);
    valid = List.copyOf(valid);
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("training task: a name is required");
    }
  }
}
