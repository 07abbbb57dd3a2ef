package io.adahit.app.cli;

import picocli.CommandLine.Option;

/**
 * The {@code -dt} / {@code --datatype} option (ParlAI's name) of the commands that read a task's
 * valid or test split, {@code valid} unless given. A picocli mixin.
 */
final class DatatypeOption {

  @Option(
      names = {"-dt", "--datatype"},
      defaultValue = "valid",
      description = "valid or test (default: ${DEFAULT-VALUE}).")
  String datatype;

  /** The split given, as written ({@code Datatype.parse} checks it). */
  String name() {
    return datatype;
  }
}
