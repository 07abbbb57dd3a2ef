package io.adahit.app.serve;

import io.adahit.agents.backbone.EngineDefaults;
import io.adahit.app.CliErrors;
import io.adahit.app.ParameterErrors;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The entry point of {@code adahit-server.jar}, the jar of the server image: only the serving
 * commands ({@code serve}, {@code events-migrate}), so the jar needs neither the eval library nor
 * ONNX Runtime. Same names, options and exit codes as in {@code adahit-cli.jar} ({@link
 * io.adahit.app.cli.Main}), whose other commands this jar does not hold.
 */
@Command(
    name = "adahit",
    mixinStandardHelpOptions = true,
    version = "adahit 0.1.0",
    description = "The AdaHIT server's commands (every other command: adahit-cli.jar).",
    subcommands = {ServeCommand.class, EventsMigrateCommand.class, CommandLine.HelpCommand.class})
public final class ServerMain {

  public static void main(String[] args) {
    // Never download anything (models, natives): fail fast instead; one inter-op thread
    EngineDefaults.applyUnlessSet();
    System.exit(commandLine().execute(args));
  }

  /**
   * The configured command line, as {@code adahit-cli.jar}'s: user errors print one line, exit 1.
   */
  static CommandLine commandLine() {
    return new CommandLine(new ServerMain())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(new CliErrors())
        .setParameterExceptionHandler(new ParameterErrors());
  }
}
