package io.adahit.app.cli;

import picocli.CommandLine.Option;

/**
 * The {@code -bs} / {@code --batchsize} option of the training commands: training pairs per
 * optimiser step, 32 unless given. A picocli mixin.
 */
final class PairsPerStepOption {

  @Option(
      names = {"-bs", "--batchsize"},
      defaultValue = "32",
      description = "Pairs per step (default: ${DEFAULT-VALUE}).")
  int batchSize;

  /** The pairs per step given, or the default. */
  int value() {
    return batchSize;
  }
}
