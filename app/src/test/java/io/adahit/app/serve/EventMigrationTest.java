package io.adahit.app.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adahit.server.events.AssignmentRecord;
import io.adahit.server.events.EpisodeRecord;
import io.adahit.server.events.EventDatabase;
import io.adahit.server.events.EventMigration;
import io.adahit.server.events.EventQueries;
import io.adahit.server.events.EventStore;
import io.adahit.server.events.FeedbackRecord;
import io.adahit.server.events.TestDatabases;
import io.adahit.server.events.VariantCounts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/**
 * SQLite → PostgreSQL copy of the event store, in code and through {@code adahit events-migrate}.
 */
@ExtendWith(TestDatabases.class)
class EventMigrationTest {

  @Test
  void aSqliteStoreIsCopiedIntoPostgresqlOnceAndReportsReadTheSameCounts(TestDatabases.Factory dbs)
      throws Exception {
    EventDatabase sqlite = dbs.database("sqlite");
    EventDatabase pg = dbs.database("postgresql");
    List<String> feedbackIds = new ArrayList<>();
    try (EventStore store = EventStore.open(sqlite, "single", Clock.systemUTC())) {
      store.saveExperiment("e1", "convai2", "{\"name\":\"e1\"}", "admin", true).join();
      for (int i = 0; i < 30; i++) {
        String cid = "c" + i;
        String variant = i % 2 == 0 ? "a" : "b";
        store
            .recordAssignment(new AssignmentRecord(cid, "e1", variant, "convai2", "grpc-act"))
            .join();
        feedbackIds.add(
            store
                .recordFeedback(
                    new FeedbackRecord(
                        cid,
                        "e1",
                        variant,
                        "convai2",
                        0,
                        null,
                        1 + i % 5,
                        i % 3 == 0 ? Boolean.TRUE : null))
                .join());
        store.recordEpisode(new EpisodeRecord(cid, "e1", variant, "convai2", 0, 3 + i % 4)).join();
      }
      store
          .recordFeedback(new FeedbackRecord("outside", null, null, "base", 2, 4, null, false))
          .join();
    }
    Map<String, VariantCounts> before = new EventQueries(sqlite).counts("e1");

    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new EventsMigrateCommand());
    cli.setOut(new PrintWriter(out));
    int exit = cli.execute("--from", sqlite.url(), "--to", pg.url());
    assertThat(exit).as(out.toString()).isZero();
    assertThat(out.toString())
        .containsPattern("ab_feedback\\s+31\\s+31")
        .containsPattern("ab_assignments\\s+30\\s+30")
        .containsPattern("ab_episodes\\s+30\\s+30")
        .containsPattern("ab_experiments\\s+1\\s+1");

    EventQueries copied = new EventQueries(pg);
    assertThat(copied.counts("e1")).isEqualTo(before);
    assertThat(copied.experiment("e1")).isPresent();
    assertThat(copied.assignments("c7"))
        .singleElement()
        .satisfies(a -> assertThat(a.variant()).isEqualTo("b"));
    try (Connection c = pg.connect();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT conversation_id, episode, turn, rating, thumbs_up FROM ab_feedback WHERE event_id = ?")) {
      s.setString(1, feedbackIds.get(3));
      try (ResultSet r = s.executeQuery()) {
        assertThat(r.next()).isTrue();
        assertThat(r.getString(1)).isEqualTo("c3");
        assertThat(r.getObject(3)).as("a null turn stays null").isNull();
        assertThat(r.getInt(4)).isEqualTo(4);
        assertThat(r.getInt(5)).isEqualTo(1);
      }
    }

    Map<String, EventMigration.Result> again = EventMigration.copy(sqlite, pg);
    assertThat(again.get("ab_feedback")).isEqualTo(new EventMigration.Result(31, 0));
    assertThat(new EventQueries(pg).counts("e1")).as("nothing copied twice").isEqualTo(before);
  }

  @Test
  void aMistypedSourceOrTheSameDatabaseIsRefusedWithTheReason(TestDatabases.Factory dbs)
      throws Exception {
    EventDatabase sqlite = dbs.database("sqlite");
    EventDatabase missing = new EventDatabase(sqlite.url() + "-typo", null, null);
    assertThatThrownBy(() -> EventMigration.copy(missing, dbs.database("sqlite")))
        .hasMessageContaining("no SQLite file");
    sqlite.migrate();
    assertThatThrownBy(
            () -> EventMigration.copy(sqlite, new EventDatabase(sqlite.url(), null, null)))
        .hasMessageContaining("the same database");
  }
}
