package io.adahit.app;

import io.adahit.agents.errors.ErrorKind;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns a user's mistake (unknown task, missing or malformed file, bad option value, unknown skill)
 * into one line on stderr, {@code adahit <command>: error: <message>}, and exit code 1; anything
 * {@link ErrorKind#of} classifies as {@link ErrorKind#INTERNAL} is a bug and keeps its stack trace.
 */
public final class CliErrors implements IExecutionExceptionHandler {

  @Override
  public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed)
      throws Exception {
    if (!isUserError(e)) {
      throw e;
    }
    cmd.getErr().println(cmd.getCommandName() + ": error: " + message(e));
    cmd.getErr().flush();
    return 1;
  }

  /**
   * Anything {@link ErrorKind#of} does not call a bug: bad values, missing files, unknown skills,
   * I/O.
   */
  public static boolean isUserError(Throwable e) {
    return ErrorKind.of(e) != ErrorKind.INTERNAL;
  }

  static String message(Throwable t) {
    Throwable e = ErrorKind.unwrap(t);
    if (e instanceof NoSuchFileException f && f.getReason() == null) {
      return f.getFile() + ": file not found";
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }
}
