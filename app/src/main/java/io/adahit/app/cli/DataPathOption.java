package io.adahit.app.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code -dp} / {@code --datapath} option (ParlAI's name) of every command that reads the task
 * files: the data folder, {@code ../shared/data} unless given. A picocli mixin.
 */
final class DataPathOption {

  @Option(
      names = {"-dp", "--datapath"},
      defaultValue = "../shared/data",
      description = "Data folder (default: ${DEFAULT-VALUE}).")
  Path datapath;

  /** The data folder given, or the default. */
  Path path() {
    return datapath;
  }
}
