package io.adahit.eval.cli;

import io.adahit.server.cli.BenchClientCommand;
import io.adahit.server.cli.BenchServerCommand;
import io.adahit.server.cli.ServeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code adahit} command-line tool: encoding, benchmarks, and (with the eval and adapter
 * issues) evaluation and training. Run {@code adahit --help}.
 */
@Command(
    name = "adahit",
    mixinStandardHelpOptions = true,
    version = "adahit 0.1.0",
    description = "Retrieval dialogue agents on one frozen backbone with per-skill adapters.",
    subcommands = {ServeCommand.class, BenchServerCommand.class, BenchClientCommand.class, io.adahit.server.cli.EventsMigrateCommand.class, io.adahit.server.cli.BenchConversationStoreCommand.class, EncodeCommand.class, EvalModelCommand.class, MergeReportsCommand.class, CompareCommand.class, AbReportCommand.class, AbSimulateCommand.class, TrainCommand.class, PoolCommand.class, FusionAttentionCommand.class, BenchEncoderCommand.class, BenchTrainCommand.class,
        CommandLine.HelpCommand.class})
public final class Main {

  public static void main(String[] args) {
    // Never download anything (models, natives): fail fast instead.
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    System.exit(commandLine().execute(args));
  }

  /** The configured command line (also what tests run): user errors print one line, exit 1. */
  static CommandLine commandLine() {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(new CliErrors()).setParameterExceptionHandler(new ParameterErrors());
  }
}
