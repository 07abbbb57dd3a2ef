package io.adahit.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Nothing acknowledged is lost on kill -9: a child JVM writes events and prints each id the store
 * acknowledged; it is killed (SIGKILL, {@link Process#destroyForcibly}) while writes are in flight;
 * then every acknowledged id must be in the store when it is opened again.
 */
@ExtendWith(TestDatabases.class)
class KillDurabilityTest {

  /** Acknowledgements to wait for before the kill. */
  private static final int ACKS = 400;

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void everyEventAcknowledgedBeforeAKillIsInTheStoreAfterRestart(
      String kind, TestDatabases.Factory dbs) throws Exception {
    String url = dbs.create(kind);
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    EventWriterMain.class.getName(),
                    url))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    Set<String> acked = new HashSet<>();
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      String line;
      while (acked.size() < ACKS
          && (line = in.readLine()) != null
          && System.nanoTime() < deadline) {
        if (line.startsWith("ACK ")) {
          acked.add(line.substring(4));
        }
      }
      child.destroyForcibly(); // SIGKILL: no shutdown hook, no close, writes in flight
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
    } finally {
      child.destroyForcibly();
    }
    assertThat(acked).as("acknowledgements before the kill").hasSizeGreaterThanOrEqualTo(ACKS);
    try (EventStore store =
        EventStore.open(new EventDatabase(url, null, null), "parent", Clock.systemUTC())) {
      Set<String> stored = new HashSet<>(store.queries().feedbackIds());
      assertThat(stored).as("every acknowledged event is in the store").containsAll(acked);
    }
  }
}
