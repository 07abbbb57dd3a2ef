package io.adahit.app.cli;

import picocli.CommandLine.Option;

/**
 * The {@code --turns} option of the load benchmarks that run conversations of a fixed length: 10
 * turns unless given. A picocli mixin.
 */
final class TurnsOption {

  @Option(
      names = "--turns",
      defaultValue = "10",
      description = "Turns per conversation (default ${DEFAULT-VALUE}).")
  int turns;

  /** The turns per conversation given, or the default. */
  int value() {
    return turns;
  }
}
