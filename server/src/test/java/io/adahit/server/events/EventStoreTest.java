package io.adahit.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(TestDatabases.class)
class EventStoreTest {

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void eventsAreSummedPerVariant(String kind, TestDatabases.Factory dbs) throws Exception {
    try (EventStore store = EventStore.open(dbs.database(kind), "test", Clock.systemUTC())) {
      assertThat(store.recordAssignment(new AssignmentRecord("c1", "e", "a", "s", "websocket")).join()).isTrue();
      assertThat(store.recordAssignment(new AssignmentRecord("c1", "e", "a", "s", "websocket")).join())
          .as("a second record of the same assignment is a no-op").isFalse();
      store.recordAssignment(new AssignmentRecord("c2", "e", "b", "s", "grpc-act")).join();
      store.recordAssignment(new AssignmentRecord("c3", "e", "b", "s", "grpc-act")).join();
      store.recordAssignment(new AssignmentRecord("c3", "other", "x", "s2", "grpc-act")).join();
      store.recordFeedback(new FeedbackRecord("c1", "e", "a", "s", 0, null, 5, true)).join();
      store.recordFeedback(new FeedbackRecord("c1", "e", "a", "s", 0, 2, 3, null)).join();
      store.recordFeedback(new FeedbackRecord("c2", "e", "b", "s", 0, null, null, false)).join();
      store.recordFeedback(new FeedbackRecord("c9", null, null, "s", 0, null, 1, null)).join();
      store.recordEpisode(new EpisodeRecord("c1", "e", "a", "s", 0, 4)).join();
      store.recordEpisode(new EpisodeRecord("c1", "e", "a", "s", 1, 2)).join();

      Map<String, VariantCounts> counts = store.queries().counts("e");
      assertThat(counts).containsOnlyKeys("a", "b");
      assertThat(counts.get("a")).isEqualTo(new VariantCounts("a", 1, 2, 6, 2, 8, 34, 1, 0, 1));
      assertThat(counts.get("b")).isEqualTo(new VariantCounts("b", 2, 0, 0, 0, 0, 0, 0, 1, 1));
      assertThat(store.queries().assignments("c3")).extracting(AssignmentRecord::experiment)
          .containsExactlyInAnyOrder("e", "other");
      assertThat(store.findAssignments("c2").join()).containsExactly(new AssignmentRecord("c2", "e", "b", "s", "grpc-act"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void aBadEventFailsAloneAndItsGroupIsWritten(String kind, TestDatabases.Factory dbs) throws Exception {
    try (EventStore store = EventStore.open(dbs.database(kind), "test", Clock.systemUTC())) {
      List<CompletableFuture<String>> good = new ArrayList<>();
      CompletableFuture<Void> bad = null;
      for (int i = 0; i < 50; i++) {
        good.add(store.recordFeedback(new FeedbackRecord("c" + i, "e", "a", "s", 0, null, 4, null)));
        if (i == 25) {   // source is NOT NULL: fails in whatever group it lands in
          bad = store.saveExperiment("x", "s", "{}", null, true);
        }
      }
      CompletableFuture.allOf(good.toArray(CompletableFuture[]::new)).join();
      assertThatThrownBy(bad::join).isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(EventStore.EventStoreException.class).hasMessageContaining("event store");
      assertThat(store.queries().feedbackIds()).hasSize(50);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void reopeningMigratesNothingAndKeepsTheEvents(String kind, TestDatabases.Factory dbs) throws Exception {
    EventDatabase db = dbs.database(kind);
    String id;
    try (EventStore store = EventStore.open(db, "test", Clock.systemUTC())) {
      id = store.recordFeedback(new FeedbackRecord("c", "e", "a", "s", 0, 1, null, true)).join();
      store.saveExperiment("e", "s", "{\"name\":\"e\"}", "admin", true).join();
      store.saveExperiment("e", "s", "{\"name\":\"e\",\"v\":2}", "config", false).join();
    }
    assertThat(db.migrate().migrationsExecuted).isZero();
    try (EventStore store = EventStore.open(db, "test", Clock.systemUTC())) {
      assertThat(store.queries().feedbackIds()).containsExactly(id);
      StoredExperiment e = store.queries().experiment("e").orElseThrow();
      assertThat(e.definition()).isEqualTo("{\"name\":\"e\",\"v\":2}");
      assertThat(e.source()).isEqualTo("config");
      assertThat(e.active()).isFalse();
    }
  }

  @org.junit.jupiter.api.Test
  void sqliteRunsInWalModeWithFullSync(TestDatabases.Factory dbs) throws Exception {
    EventDatabase db = dbs.database("sqlite");
    db.migrate();
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
      }
      try (ResultSet rs = s.executeQuery("PRAGMA synchronous")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).as("2 = FULL").isEqualTo(2);
      }
    }
  }

  @org.junit.jupiter.api.Test
  void aWrongUrlIsRefusedWithTheRule() {
    assertThatThrownBy(() -> new EventDatabase("jdbc:mysql://x/y", null, null))
        .hasMessageContaining("must start with jdbc:sqlite: or jdbc:postgresql:");
  }
}
