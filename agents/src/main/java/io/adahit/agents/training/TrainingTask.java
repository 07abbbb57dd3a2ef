package io.adahit.agents.training;

import io.adahit.agents.adapters.Provenance;
import java.util.List;

/**
 * One skill's data for a training run: the pairs it trains on, a held-out slice of the same
 * training files for periodic validation (never an evaluation split), and those files with their
 * SHA-256, which the run's {@link Provenance} lists.
 *
 * @param name the skill (task) name, e.g. {@code convai2}
 * @param train training pairs
 * @param valid held-out pairs for validation hits@1 (may be empty)
 * @param files the files the pairs were read from (may be empty, e.g. pairs made in memory)
 */
public record TrainingTask(
    String name,
    List<TrainingPair> train,
    List<TrainingPair> valid,
    List<Provenance.TrainingFile> files) {

  public TrainingTask {
    train = List.copyOf(train);
    valid = List.copyOf(valid);
    files = List.copyOf(files);
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("training task: a name is required");
    }
  }

  /** Pairs not read from files (e.g. made in memory). */
  public TrainingTask(String name, List<TrainingPair> train, List<TrainingPair> valid) {
    this(name, train, valid, List.of());
  }
}
