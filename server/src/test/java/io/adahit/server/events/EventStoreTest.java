package io.adahit.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(TestDatabases.class)
class EventStoreTest {

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void eventsAreSummedPerVariant(String kind, TestDatabases.Factory dbs) throws Exception {
    try (EventStore store = EventStore.open(dbs.database(kind), "test", Clock.systemUTC())) {
      assertThat(
              store.recordAssignment(new AssignmentRecord("c1", "e", "a", "s", "websocket")).join())
          .isTrue();
      assertThat(
              store.recordAssignment(new AssignmentRecord("c1", "e", "a", "s", "websocket")).join())
          .as("a second record of the same assignment is a no-op")
          .isFalse();
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
      assertThat(store.queries().assignments("c3"))
          .extracting(AssignmentRecord::experiment)
          .containsExactlyInAnyOrder("e", "other");
      assertThat(store.findAssignments("c2").join())
          .containsExactly(new AssignmentRecord("c2", "e", "b", "s", "grpc-act"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void aBadEventFailsAloneAndItsGroupIsWritten(String kind, TestDatabases.Factory dbs)
      throws Exception {
    try (EventStore store = EventStore.open(dbs.database(kind), "test", Clock.systemUTC())) {
      List<CompletableFuture<String>> good = new ArrayList<>();
      CompletableFuture<Void> bad = null;
      for (int i = 0; i < 50; i++) {
        good.add(
            store.recordFeedback(new FeedbackRecord("c" + i, "e", "a", "s", 0, null, 4, null)));
        if (i == 25) { // source is NOT NULL: fails in whatever group it lands in
          bad = store.saveExperiment("x", "s", "{}", null, true);
        }
      }
      CompletableFuture.allOf(good.toArray(CompletableFuture[]::new)).join();
      assertThatThrownBy(bad::join)
          .isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(EventStore.EventStoreException.class)
          .hasMessageContaining("event store");
      assertThat(store.queries().feedbackIds()).hasSize(50);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void reopeningMigratesNothingAndKeepsTheEvents(String kind, TestDatabases.Factory dbs)
      throws Exception {
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
    try (Connection c = db.connect();
        Statement s = c.createStatement()) {
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

  @org.junit.jupiter.api.Test
  void messagesNeverShowTheUrlsCredentials() {
    assertThatThrownBy(
            () -> new EventDatabase("jdbc:mysql://db:3306/ab?user=u&password=hunter2", null, null))
        .hasMessageContaining("jdbc:mysql://db:3306/ab?...")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> new EventDatabase("jdbc:mysql://u:hunter2@db/ab", null, null))
        .hasMessageContaining("jdbc:mysql://***@db/ab")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(
            () -> new EventDatabase("jdbc:sqlserver://db;user=u;password=hunter2", null, null))
        .hasMessageNotContaining("hunter2");
    assertThat(new EventDatabase("jdbc:postgresql://db/ab?password=hunter2", null, null).redacted())
        .isEqualTo("jdbc:postgresql://db/ab?...");
  }

  @org.junit.jupiter.api.Test
  void postgresqlConnectionsHaveBoundedConnectAndLoginTimeouts() {
    assertThat(new EventDatabase("jdbc:postgresql://db/ab", "u", null).connectProperties())
        .containsEntry("connectTimeout", "5")
        .containsEntry("loginTimeout", "10")
        .containsEntry("user", "u");
    assertThat(new EventDatabase("jdbc:sqlite:x.db", null, null).connectProperties()).isEmpty();
  }

  @org.junit.jupiter.api.Test
  void connectionFailuresAreToldApartFromStatementErrors() {
    assertThat(EventDatabase.isConnectionFailure(new SQLTransientConnectionException("refused")))
        .isTrue();
    assertThat(EventDatabase.isConnectionFailure(new SQLException("I/O error", "08006"))).isTrue();
    assertThat(
            EventDatabase.isConnectionFailure(
                new RuntimeException(new SQLException("gone", "08003"))))
        .isTrue();
    assertThat(EventDatabase.isConnectionFailure(new SQLException("duplicate key", "23505")))
        .isFalse();
    assertThat(EventDatabase.isConnectionFailure(new SQLException("no state"))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void aLostDatabaseFailsTheWholeGroupAtOnceWithOneConnectAttempt(
      String kind, TestDatabases.Factory dbs) throws Exception {
    EventDatabase db = dbs.database(kind);
    AtomicBoolean down = new AtomicBoolean();
    AtomicInteger attempts = new AtomicInteger();
    CountDownLatch allQueued = new CountDownLatch(1);
    AtomicReference<Connection> last = new AtomicReference<>();
    EventStore.Connector connector =
        () -> {
          if (down.get()) { // the database is unreachable: each attempt fails, as after a connect
            // timeout
            attempts.incrementAndGet();
            try {
              allQueued.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            throw new SQLTransientConnectionException("simulated: connection refused", "08001");
          }
          Connection c = db.connect();
          last.set(c);
          return c;
        };
    try (EventStore store =
        EventStore.open(
            db,
            connector,
            new LinkedBlockingQueue<>(EventStore.QUEUE_CAPACITY),
            "test",
            Clock.systemUTC())) {
      store.recordFeedback(new FeedbackRecord("c", "e", "a", "s", 0, null, 4, null)).join();
      down.set(true);
      last.get().close(); // the writer finds its connection gone and reconnects
      List<CompletableFuture<String>> fs = new ArrayList<>();
      for (int i = 0; i < EventStore.MAX_GROUP + 1; i++) {
        fs.add(store.recordFeedback(new FeedbackRecord("c" + i, "e", "a", "s", 0, null, 4, null)));
      }
      allQueued.countDown();
      for (CompletableFuture<String> f : fs) {
        assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(EventStore.EventStoreException.class)
            .hasMessageContaining("cannot connect")
            .hasMessageContaining("connection refused");
      }
      assertThat(attempts.get())
          .as(
              "one connect attempt per group (the first event alone, then the other "
                  + EventStore.MAX_GROUP
                  + " together), not one per event")
          .isEqualTo(2);

      down.set(false);
      assertThat(
              store
                  .recordFeedback(new FeedbackRecord("c", "e", "a", "s", 0, null, 5, null))
                  .get(60, TimeUnit.SECONDS))
          .as("the next event reconnects")
          .isNotNull();
      assertThat(store.queries().feedbackIds()).hasSize(2);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void aGroupWhoseCommitWasInDoubtIsRetriedWithoutStoringAnEventTwice(
      String kind, TestDatabases.Factory dbs) throws Exception {
    EventDatabase db = dbs.database(kind);
    AtomicBoolean loseCommitReply =
        new AtomicBoolean(); // of the next transaction of several statements
    AtomicBoolean hold = new AtomicBoolean();
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    EventStore.Connector connector =
        () -> {
          Connection real = db.connect();
          AtomicInteger statements = new AtomicInteger();
          return (Connection)
              Proxy.newProxyInstance(
                  Connection.class.getClassLoader(),
                  new Class<?>[] {Connection.class},
                  (proxy, method, args) -> {
                    if (method.getName().equals("isValid")
                        && hold.getAndSet(false)) { // the writer waits here
                      held.countDown();
                      release.await(30, TimeUnit.SECONDS);
                    }
                    try {
                      Object r = method.invoke(real, args);
                      switch (method.getName()) {
                        case "prepareStatement" -> statements.incrementAndGet();
                        case "rollback" -> statements.set(0);
                        case "commit" -> {
                          if (statements.getAndSet(0) > 1 && loseCommitReply.getAndSet(false)) {
                            throw new SQLException(
                                "simulated: committed, but the reply to COMMIT was lost");
                          }
                        }
                        default -> {}
                      }
                      return r;
                    } catch (InvocationTargetException e) {
                      throw e.getCause();
                    }
                  });
        };
    try (EventStore store =
        EventStore.open(
            db,
            connector,
            new LinkedBlockingQueue<>(EventStore.QUEUE_CAPACITY),
            "test",
            Clock.systemUTC())) {
      hold.set(true);
      CompletableFuture<Void> first = store.saveExperiment("e", "s", "{}", "config", true);
      assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
      loseCommitReply.set(true);
      List<CompletableFuture<String>> fs = new ArrayList<>();
      for (int i = 0; i < 20; i++) { // queued while the writer waits: one group
        fs.add(
            i % 2 == 0
                ? store.recordFeedback(new FeedbackRecord("c" + i, "e", "a", "s", 0, null, 4, null))
                : store.recordEpisode(new EpisodeRecord("c" + i, "e", "a", "s", 0, 3)));
      }
      release.countDown();
      first.get(60, TimeUnit.SECONDS);
      for (CompletableFuture<String> f : fs) {
        assertThat(f.get(60, TimeUnit.SECONDS))
            .as("acknowledged: the retry finds it stored")
            .isNotNull();
      }
      assertThat(loseCommitReply.get()).as("the group's commit reply was lost").isFalse();
      assertThat(store.queries().feedbackIds()).hasSize(10);
      assertThat(store.queries().counts("e").get("a").episodes()).isEqualTo(10);
    }
  }

  @org.junit.jupiter.api.Test
  void anEventOfferedAfterTheWritersLastDrainFailsAsClosedInsteadOfWaitingForever(
      TestDatabases.Factory dbs) throws Exception {
    EventDatabase db = dbs.database("sqlite");
    AtomicBoolean hold = new AtomicBoolean();
    CountDownLatch inOffer = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    BlockingQueue<EventStore.Job<?>> queue =
        new LinkedBlockingQueue<>(EventStore.QUEUE_CAPACITY) {
          @Override
          public boolean offer(EventStore.Job<?> job) {
            if (hold.getAndSet(
                false)) { // the caller passed the "accepting" check and is preempted here
              inOffer.countDown();
              try {
                proceed.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return super.offer(job);
          }
        };
    EventStore store = EventStore.open(db, db::connect, queue, "test", Clock.systemUTC());
    hold.set(true);
    CompletableFuture<CompletableFuture<String>> submitting =
        CompletableFuture.supplyAsync(
            () -> store.recordFeedback(new FeedbackRecord("c", "e", "a", "s", 0, null, 4, null)));
    assertThat(inOffer.await(30, TimeUnit.SECONDS)).isTrue();
    store.close(); // the writer drains, finds nothing, and exits
    proceed.countDown();
    CompletableFuture<String> f = submitting.get(30, TimeUnit.SECONDS);
    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(EventStore.EventStoreException.class)
        .hasMessageContaining("is closed");
  }
}
