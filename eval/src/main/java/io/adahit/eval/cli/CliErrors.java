package io.adahit.eval.cli;

import io.adahit.eval.metrics.BadCandidatesException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.NoSuchElementException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns a user's mistake (unknown task, missing or malformed file, bad option value, unknown
 * skill) into one line on stderr, {@code adahit <command>: error: <message>}, and exit code 1;
 * anything else is a bug and keeps its stack trace.
 */
final class CliErrors implements IExecutionExceptionHandler {

  @Override
  public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) throws Exception {
    if (!isUserError(e)) {
      throw e;
    }
    cmd.getErr().println(cmd.getCommandName() + ": error: " + message(e));
    cmd.getErr().flush();
    return 1;
  }

  static boolean isUserError(Throwable e) {
    return e instanceof IOException || e instanceof UncheckedIOException
        || e instanceof IllegalArgumentException || e instanceof NoSuchElementException
        || e instanceof BadCandidatesException;
  }

  static String message(Throwable e) {
    if (e instanceof NoSuchFileException f && f.getReason() == null) {
      return f.getFile() + ": file not found";
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }
}
