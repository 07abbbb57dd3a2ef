package io.adahit.app.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The hidden {@code --batch-size} option: the old name of a command's {@code -bs} / {@code
 * --batchsize}, still accepted; it sets that option's value. A picocli mixin for commands that
 * declare {@code --batchsize} with a field value as its default (picocli would apply a {@code
 * defaultValue} after this alias).
 */
final class BatchSizeAlias {

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(names = "--batch-size", hidden = true)
  void batchSizeAlias(int n) {
    command.findOption("--batchsize").setValue(n);
  }
}
