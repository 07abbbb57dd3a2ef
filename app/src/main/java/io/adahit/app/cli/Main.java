package io.adahit.app.cli;

import io.adahit.agents.backbone.EngineDefaults;
import io.adahit.app.CliErrors;
import io.adahit.app.ParameterErrors;
import io.adahit.app.serve.EventsMigrateCommand;
import io.adahit.app.serve.ServeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code adahit} command-line tool of {@code adahit-cli.jar}: serving, evaluation, training,
 * A/B reports, encoding and the benchmarks. Run {@code adahit --help}. The server image runs {@link
 * io.adahit.app.serve.ServerMain} instead (serving commands only).
 */
@Command(
    name = "adahit",
    mixinStandardHelpOptions = true,
    version = "adahit 0.1.0",
    description = "Retrieval dialogue agents on one frozen backbone with per-skill adapters.",
    subcommands = {
      ServeCommand.class,
      BenchServerCommand.class,
      BenchClientCommand.class,
      EventsMigrateCommand.class,
      BenchConversationStoreCommand.class,
      EncodeCommand.class,
      EvalModelCommand.class,
      MergeReportsCommand.class,
      CompareCommand.class,
      AbReportCommand.class,
      AbSimulateCommand.class,
      TrainCommand.class,
      PoolCommand.class,
      FusionAttentionCommand.class,
      BenchEncoderCommand.class,
      BenchTrainCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main {

  public static void main(String[] args) {
    // Never download anything (models, natives): fail fast instead; one inter-op thread
    EngineDefaults.applyUnlessSet();
    System.exit(commandLine().execute(args));
  }

  /** The configured command line (also what tests run): user errors print one line, exit 1. */
  static CommandLine commandLine() {
    return new CommandLine(new Main())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(new CliErrors())
        .setParameterExceptionHandler(new ParameterErrors());
  }
}
