package io.adahit.server.experiments;

import java.util.List;

/** An experiment name that is neither running nor stored; the message lists the known ones. */
public final class UnknownExperimentException extends RuntimeException {

  public UnknownExperimentException(String name, List<String> known) {
    super("unknown experiment '" + name + "'; known experiments: " + known);
  }
}
