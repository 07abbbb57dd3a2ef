package io.adahit.server.experiments;

import io.adahit.agents.errors.ClassifiedException;
import io.adahit.agents.errors.ErrorKind;
import java.util.List;

/** An experiment name that is neither running nor stored; the message lists the known ones. */
public final class UnknownExperimentException extends ClassifiedException {
  private static final long serialVersionUID = 1L;

  public UnknownExperimentException(String name, List<String> known) {
    super(
        ErrorKind.NOT_FOUND,
        "unknown_experiment",
        "unknown experiment '" + name + "'; known experiments: " + known);
  }
}
