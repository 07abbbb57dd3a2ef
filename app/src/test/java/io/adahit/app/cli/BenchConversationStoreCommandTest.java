package io.adahit.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.server.chat.SharedConversations;
import io.adahit.server.events.EventDatabase;
import io.adahit.server.events.TestDatabases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code adahit bench-conversation-store} on the shared conversation store (moved from
 * SharedConversationsTest).
 */
@ExtendWith(TestDatabases.class)
class BenchConversationStoreCommandTest {

  @org.junit.jupiter.api.Test
  void theStoreBenchmarkReportsPerTurnTimesAndLeavesNoRows(TestDatabases.Factory dbs)
      throws Exception {
    EventDatabase db = dbs.database("sqlite");
    java.io.StringWriter out = new java.io.StringWriter();
    picocli.CommandLine cli = new picocli.CommandLine(new BenchConversationStoreCommand());
    cli.setOut(new java.io.PrintWriter(out));
    assertThat(cli.execute("--url", db.url(), "-n", "3", "--turns", "4", "--concurrency", "2"))
        .as(out.toString())
        .isZero();
    assertThat(out.toString())
        .contains("3 conversations x 4 turns")
        .containsPattern("median [0-9.]+ ms, p99 [0-9.]+ ms")
        .contains("(12 turns,");
    try (SharedConversations s =
        SharedConversations.open(
            db, "x", new ObjectMapper(), Clock.systemUTC(), new SimpleMeterRegistry())) {
      assertThat(s.count()).isZero();
    }
  }
}
