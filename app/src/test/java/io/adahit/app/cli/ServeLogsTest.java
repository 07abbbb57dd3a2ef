package io.adahit.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code adahit serve} as {@code nohup} runs it: a separate JVM with the CLI's logging setup
 * ({@code simplelogger.properties}), stdin closed and stderr a file. Its log says, one timestamped
 * line each and without carriage returns or ANSI codes, where the config comes from, that a first
 * start encodes the candidate pools (how many, and how long: a measured estimate the first time,
 * the last run's rate the next), each skill with its kind and lengths, the event store, the ports,
 * readiness and the shutdown.
 */
class ServeLogsTest {

  /** "2026-12-04T19:10:35.123Z INFO ..." or "...+01:00 WARN ...". */
  static final String STAMP =
      "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) (INFO|WARN|ERROR) .*";

  @TempDir Path tmp;

  /**
   * Runs {@code serve --exit-when-ready} in {@code tmp} (its ./skills, ./.cache, ./events); its
   * stderr.
   */
  private String serve() throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=2",
                "-Dai.djl.pytorch.num_interop_threads=1",
                "-cp",
                System.getProperty("java.class.path"),
                "io.adahit.app.cli.Main",
                "serve",
                "--exit-when-ready",
                "--no-grpc",
                "--port",
                "0",
                "--skill",
                "base"));
    Path err = Files.createTempFile(tmp, "serve", ".log");
    Process p =
        new ProcessBuilder(cmd)
            .directory(tmp.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(err.toFile())
            .start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("serve did not exit; its log:\n" + Files.readString(err));
    }
    String log = Files.readString(err, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(log).isZero();
    return log;
  }

  private void skill(String name, List<String> candidates) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("skills").resolve(name));
    Files.write(dir.resolve("candidates.txt"), candidates, StandardCharsets.UTF_8);
  }

  @Test
  void serveUnderNohupLogsPlainTimestampedLinesAboutConfigPoolsStoresPortsAndShutdown()
      throws Exception {
    List<String> pool =
        Files.readAllLines(
            Path.of("..", "skills", "base", "candidates.txt"), StandardCharsets.UTF_8);
    skill("base", pool.subList(0, 150));
    skill("chat", pool.subList(150, 250));

    String first = serve();
    Files.writeString(Path.of("/tmp/ux-page-serve1.log"), first);
    assertThat(first).doesNotContain("\r").doesNotContain("\u001b[");
    for (String line : first.split("\n")) {
      assertThat(line).as("every line is timestamped: %s", first).matches(STAMP);
    }
    assertThat(first)
        .contains(
            "config: built-in defaults + flags [http.port, grpc.enabled, skills.default, logs.dir]")
        .contains("listening on http://127.0.0.1:")
        .contains(
            "first start with these skills or adapters: 250 candidates of 2 pools (base, chat) are not in the cache")
        .contains(
            "no encoding time recorded in encode-timings.json yet; the first 64 candidates took")
        .contains("skill 'base': kind none, 150 candidates, 0 personas, lengths 256/128")
        .contains("skill 'chat': kind none, 100 candidates")
        .contains("encoded 250 candidates in")
        .contains("event store: jdbc:sqlite:events/adahit-events.db (replica")
        .contains("ready: skills [base, chat]")
        .contains("AdaHIT server ready: chat page http://127.0.0.1:")
        .contains("shutting down (grace")
        .contains("stopped in");
    assertThat(first.indexOf("first start with these skills"))
        .as("said before the encoding")
        .isLessThan(first.indexOf("skill 'base': kind none"));
    assertThat(tmp.resolve(".cache/embeddings/encode-timings.json")).exists();

    skill("third", pool.subList(250, 290));
    String second = serve();
    Files.writeString(Path.of("/tmp/ux-page-serve2.log"), second);
    assertThat(second)
        .contains("first start with these skills or adapters: 40 candidates of 1 pool (third)")
        .containsPattern(
            "the last encoding into this cache ran at [0-9.]+ candidates/s \\(250 candidates in")
        .contains("skill 'base': all 150 candidate encodings read from the cache")
        .doesNotContain("no encoding time recorded");

    String third = serve();
    assertThat(third)
        .contains("all 3 candidate pools are in the cache")
        .doesNotContain("first start");
  }
}
