package io.adahit.server.experiments;

import io.adahit.agents.errors.ClassifiedError;
import io.adahit.agents.errors.ErrorKind;
import java.util.List;

/** An experiment name that is neither running nor stored; the message lists the known ones. */
public final class UnknownExperimentException extends RuntimeException implements ClassifiedError {

  public UnknownExperimentException(String name, List<String> known) {
    super("unknown experiment '" + name + "'; known experiments: " + known);
  }

  @Override
  public ErrorKind errorKind() {
    return ErrorKind.NOT_FOUND;
  }

  @Override
  public String errorTag() {
    return "unknown_experiment";
  }
}
