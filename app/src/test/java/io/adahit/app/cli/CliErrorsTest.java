package io.adahit.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.adahit.agents.adapters.UnknownSkillException;
import io.adahit.app.CliErrors;
import io.adahit.eval.metrics.BadCandidatesException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line's side of the shared error classification. */
class CliErrorsTest {

  @Command(name = "demo")
  static final class Failing implements Callable<Integer> {
    final Exception error;

    Failing(Exception error) {
      this.error = error;
    }

    @Override
    public Integer call() throws Exception {
      throw error;
    }
  }

  private static String run(Exception e, int expectedExit) {
    StringWriter err = new StringWriter();
    CommandLine cmd = new CommandLine(new Failing(e)).setExecutionExceptionHandler(new CliErrors());
    cmd.setErr(new PrintWriter(err));
    assertThat(cmd.execute()).isEqualTo(expectedExit);
    return err.toString();
  }

  @Test
  void userMistakesAreOneLine() {
    assertThat(run(new IllegalArgumentException("--k must be >= 1, found 0"), 1))
        .isEqualTo("demo: error: --k must be >= 1, found 0" + System.lineSeparator());
    assertThat(run(new NoSuchFileException("valid.txt"), 1)).contains("valid.txt: file not found");
    assertThat(run(new UnknownSkillException("bts", List.of("bst")), 1))
        .contains("unknown skill 'bts'");
    assertThat(run(new IOException("malformed line 3"), 1)).contains("malformed line 3");
    assertThat(CliErrors.isUserError(new BadCandidatesException("ex3", "example 3 has no gold")))
        .isTrue();
  }

  @Test
  void bugsKeepTheirStackTrace() {
    // a plain NoSuchElementException (an exhausted iterator) counted as a user error before
    assertThat(CliErrors.isUserError(new NoSuchElementException("no value present"))).isFalse();
    assertThat(CliErrors.isUserError(new IllegalStateException("x"))).isFalse();
    assertThat(CliErrors.isUserError(new NullPointerException())).isFalse();
    String err = run(new IllegalStateException("invariant broken"), 1);
    assertThat(err)
        .doesNotStartWith("demo: error:")
        .contains("IllegalStateException")
        .contains("\tat ");
  }
}
