package io.adahit.app;

import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * A mistyped command line gets a short answer instead of the whole usage: the error, picocli's "did
 * you mean" suggestions, and where the help is; ParlAI's model flags ({@code -m}, {@code -mf},
 * {@code --model}, {@code --model-file}) get a one-line hint on what takes their place here. Exit
 * code 2, as picocli's default handler.
 */
public final class ParameterErrors implements IParameterExceptionHandler {

  private static final Set<String> PARLAI_MODEL_FLAGS =
      Set.of("-m", "-mf", "--model", "--model-file", "--model_file");

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    String name = cmd.getCommandSpec().qualifiedName();
    String parlai = parlaiFlag(ex);
    if (parlai != null) {
      err.println(
          name
              + ": error: "
              + parlai
              + " is ParlAI's model flag; here a model is a skill: --skill NAME (a"
              + " directory of --skills-dir, e.g. base for the zero-shot backbone, auto for the router), --adapter DIR,"
              + " or --server HOST:PORT. See '"
              + name
              + " --help'.");
    } else {
      err.println(name + ": error: " + ex.getMessage());
      if (ex instanceof UnmatchedArgumentException u) {
        List<String> suggestions = u.getSuggestions();
        if (!suggestions.isEmpty()) {
          err.println("Did you mean: " + String.join(" or ", suggestions) + "?");
        }
      }
      err.println("See '" + name + " --help'.");
    }
    err.flush();
    return cmd.getCommandSpec().exitCodeOnInvalidInput();
  }

  /** The ParlAI model flag among the unmatched arguments, or null. */
  static String parlaiFlag(ParameterException ex) {
    if (ex instanceof UnmatchedArgumentException u) {
      for (String a : u.getUnmatched()) {
        String flag = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
        if (PARLAI_MODEL_FLAGS.contains(flag)) {
          return flag;
        }
      }
    }
    return null;
  }
}
