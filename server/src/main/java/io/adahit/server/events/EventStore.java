package io.adahit.server.events;

import io.adahit.agents.errors.ClassifiedException;
import io.adahit.agents.errors.ErrorKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The A/B event store: assignments, feedback and episode lengths, written through JDBC by one
 * writer thread with group commit (whatever is queued goes into one transaction, up to {@value
 * #MAX_GROUP} events). A write's future completes only after its transaction committed, so a caller
 * acknowledges an event only once it is durable: nothing acknowledged is lost when the process is
 * killed (see {@link EventDatabase} for SQLite's fsync settings). If a statement fails the group (a
 * constraint violation), its events are retried one by one so a bad event fails alone; if the
 * connection cannot be had or is lost (SQLState class 08), the whole group fails at once with one
 * error and the next group reconnects, so a database that is down costs one connect timeout per
 * group, not one per event. Every event gets its id when it is created and is inserted with {@code
 * ON CONFLICT DO NOTHING}, so retrying a group whose commit was in doubt never stores an event
 * twice.
 *
 * <pre>{@code
 * try (EventStore store = EventStore.open(EventDatabase.of(config.events()), "replica-1", Clock.systemUTC())) {
 *   String id = store.recordFeedback(new FeedbackRecord(cid, "convai2-da", "da16", "convai2", 0, null, 5, null)).join();
 *   List<VariantCounts> counts = store.queries().counts("convai2-da");
 * }
 * }</pre>
 */
public final class EventStore implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EventStore.class);

  /** Most events committed in one transaction. */
  static final int MAX_GROUP = 256;

  /** Events that may wait for the writer; beyond this a write fails at once. */
  static final int QUEUE_CAPACITY = 10_000;

  /** Work for the writer: statements on its connection, inside the group's transaction. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Where the writer's connections come from: the database (tests wrap it to fail or to count). */
  @FunctionalInterface
  interface Connector {
    Connection connect() throws SQLException;
  }

  record Job<T>(Work<T> work, CompletableFuture<T> future) {
    void complete(Object result) {
      @SuppressWarnings("unchecked")
      T t = (T) result;
      future.complete(t);
    }
  }

  /** Why a commit failed; {@code connection}: the connection could not be had or was lost. */
  private record Failure(EventStoreException error, boolean connection) {}

  private final EventDatabase db;
  private final Connector connector;
  private final String replica;
  private final Clock clock;
  private final EventQueries queries;
  private final BlockingQueue<Job<?>> queue;
  private final Thread writer;
  private volatile boolean accepting = true;
  private Connection connection; // the writer thread's only

  private EventStore(
      EventDatabase db,
      Connector connector,
      BlockingQueue<Job<?>> queue,
      String replica,
      Clock clock) {
    this.db = db;
    this.connector = connector;
    this.queue = queue;
    this.replica = replica;
    this.clock = clock;
    this.queries = new EventQueries(db);
    this.writer = new Thread(this::run, "adahit-events");
    this.writer.setDaemon(true);
  }

  /**
   * Migrates the schema, opens the writer's connection and starts the writer thread.
   *
   * @param replica this process's name in assignment records
   * @throws SQLException if the database cannot be reached or migrated
   */
  public static EventStore open(EventDatabase db, String replica, Clock clock) throws SQLException {
    return open(db, db::connect, new LinkedBlockingQueue<>(QUEUE_CAPACITY), replica, clock);
  }

  /**
   * {@link #open}, with the writer's connections from {@code connector} and its queue given
   * (tests).
   */
  static EventStore open(
      EventDatabase db,
      Connector connector,
      BlockingQueue<Job<?>> queue,
      String replica,
      Clock clock)
      throws SQLException {
    db.migrate();
    EventStore store = new EventStore(db, connector, queue, replica, clock);
    store.connection = connector.connect();
    store.writer.start();
    LOG.info("event store: {} (replica '{}')", db.redacted(), replica);
    return store;
  }

  public EventDatabase database() {
    return db;
  }

  /** Reads for reports and look-ups (each on its own short connection). */
  public EventQueries queries() {
    return queries;
  }

  /** Events waiting for the writer. */
  public int pending() {
    return queue.size();
  }

  /**
   * Records an assignment once; a second record of the same conversation and experiment is a no-op.
   *
   * @return completes with true if the record is new, once committed
   */
  public CompletableFuture<Boolean> recordAssignment(AssignmentRecord a) {
    long now = clock.millis();
    return submit(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO ab_assignments (conversation_id, experiment,"
                      + " variant, skill, transport, replica, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                      + " ON CONFLICT (conversation_id, experiment) DO NOTHING")) {
            s.setString(1, a.conversationId());
            s.setString(2, a.experiment());
            s.setString(3, a.variant());
            s.setString(4, a.skill());
            s.setString(5, a.transport());
            s.setString(6, replica);
            s.setLong(7, now);
            return s.executeUpdate() == 1;
          }
        });
  }

  /**
   * @return completes with the feedback's id once committed
   */
  public CompletableFuture<String> recordFeedback(FeedbackRecord f) {
    return insertEvent(
        "ab_feedback",
        List.of("turn", "rating", "thumbs_up"),
        f,
        s -> {
          EpisodeEventRows.setInt(s, 7, f.turn());
          EpisodeEventRows.setInt(s, 8, f.rating());
          EpisodeEventRows.setInt(s, 9, f.thumbsUp() == null ? null : f.thumbsUp() ? 1 : 0);
        });
  }

  /**
   * @return completes with the episode record's id once committed
   */
  public CompletableFuture<String> recordEpisode(EpisodeRecord e) {
    return insertEvent("ab_episodes", List.of("turns"), e, s -> s.setInt(7, e.turns()));
  }

  /** Inserts an episode's event row (see {@link EpisodeEventRows}); completes with its id. */
  private CompletableFuture<String> insertEvent(
      String table,
      List<String> columns,
      EpisodeEventRows.EpisodeEvent e,
      EpisodeEventRows.OwnColumns values) {
    String id =
        UUID.randomUUID()
            .toString(); // once, before the first attempt: a retry inserts the same row
    return submit(EpisodeEventRows.insert(table, columns, id, e, clock.millis(), values));
  }

  /** Stores (or updates) an experiment's definition. */
  public CompletableFuture<Void> saveExperiment(
      String name, String skill, String definitionJson, String source, boolean active) {
    long now = clock.millis();
    return submit(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO ab_experiments (name, skill, definition, source,"
                      + " active, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET skill = excluded.skill,"
                      + " definition = excluded.definition, source = excluded.source, active = excluded.active,"
                      + " updated_at = excluded.updated_at")) {
            s.setString(1, name);
            s.setString(2, skill);
            s.setString(3, definitionJson);
            s.setString(4, source);
            s.setInt(5, active ? 1 : 0);
            s.setLong(6, now);
            s.executeUpdate();
            return null;
          }
        });
  }

  /** The stored assignments of a conversation (any experiment), read in the writer's order. */
  public CompletableFuture<List<AssignmentRecord>> findAssignments(String conversationId) {
    return submit(c -> EventQueries.assignments(c, conversationId));
  }

  private <T> CompletableFuture<T> submit(Work<T> work) {
    CompletableFuture<T> f = new CompletableFuture<>();
    Job<T> job = new Job<>(work, f);
    if (!accepting) {
      f.completeExceptionally(closedError());
    } else if (!queue.offer(job)) {
      f.completeExceptionally(
          new EventStoreException(
              "event store is overloaded: "
                  + QUEUE_CAPACITY
                  + " events wait for "
                  + db.redacted()));
    } else if (!accepting && queue.remove(job)) {
      // closed between the check and the offer: the writer may have made its final drain already,
      // and nobody would complete this job (if remove fails, the writer took it and answers it)
      f.completeExceptionally(closedError());
    }
    return f;
  }

  private EventStoreException closedError() {
    return new EventStoreException(
        "event store " + db.redacted() + " is closed: the server is shutting down");
  }

  private void run() {
    List<Job<?>> group = new ArrayList<>(MAX_GROUP);
    while (accepting || !queue.isEmpty()) {
      try {
        Job<?> first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        group.clear();
        group.add(first);
        queue.drainTo(group, MAX_GROUP - 1);
        write(group);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException e) {
        LOG.error("event store writer error (continuing)", e);
      }
    }
    Job<?> j;
    while ((j = queue.poll()) != null) {
      j.future()
          .completeExceptionally(
              new EventStoreException("event store closed before this event was written"));
    }
  }

  /**
   * Commits the group; if a statement failed it, retries its events one by one so only the bad one
   * fails. A connection that cannot be had or is lost fails every event not yet written at once:
   * retrying each alone would wait one connect timeout per event.
   */
  private void write(List<Job<?>> group) {
    Failure f = commit(group);
    if (f == null) {
      return;
    }
    if (f.connection() || group.size() == 1) {
      fail(group, f);
      return;
    }
    for (int i = 0; i < group.size(); i++) { // isolate the event that failed the group
      Failure alone = commit(List.of(group.get(i)));
      if (alone != null && alone.connection()) {
        fail(group.subList(i, group.size()), alone); // each of the rest would wait for a connect
        return;
      } else if (alone != null) {
        fail(List.of(group.get(i)), alone);
      }
    }
  }

  private void fail(List<Job<?>> jobs, Failure f) {
    LOG.warn("{} ({} event{})", f.error().getMessage(), jobs.size(), jobs.size() == 1 ? "" : "s");
    for (Job<?> j : jobs) {
      j.future().completeExceptionally(f.error());
    }
  }

  /**
   * Runs the jobs in one transaction; completes them after the commit. On failure rolls back and
   * says why.
   */
  private Failure commit(List<Job<?>> jobs) {
    Connection c;
    try {
      c = connection();
    } catch (SQLException | RuntimeException e) {
      closeQuietly();
      return new Failure(
          new EventStoreException(
              "event store "
                  + db.redacted()
                  + ": cannot connect, "
                  + jobs.size()
                  + " event(s) not written (the next event reconnects): "
                  + e.getMessage(),
              e),
          true);
    }
    Object[] results = new Object[jobs.size()];
    try {
      for (int i = 0; i < jobs.size(); i++) {
        results[i] = jobs.get(i).work().run(c);
      }
      c.commit();
    } catch (SQLException | RuntimeException e) {
      rollbackQuietly();
      boolean lost =
          EventDatabase.isConnectionFailure(e) || connection == null; // null: the rollback failed
      String why =
          lost
              ? ": connection lost, "
                  + jobs.size()
                  + " event(s) not written (the next event reconnects): "
              : ": ";
      return new Failure(
          new EventStoreException("event store " + db.redacted() + why + e.getMessage(), e), lost);
    }
    for (int i = 0; i < jobs.size(); i++) {
      jobs.get(i).complete(results[i]);
    }
    return null;
  }

  private Connection connection() throws SQLException {
    if (connection == null || connection.isClosed() || !connection.isValid(2)) {
      closeQuietly();
      connection = connector.connect();
    }
    return connection;
  }

  /** Rolls back; if that fails (or the connection is closed already), drops the connection. */
  private void rollbackQuietly() {
    try {
      if (connection != null && !connection.isClosed()) {
        connection.rollback();
        return;
      }
    } catch (SQLException e) {
      // the connection is unusable
    }
    closeQuietly(); // reconnect for the next group
  }

  private void closeQuietly() {
    try {
      if (connection != null) {
        connection.close();
      }
    } catch (SQLException ignored) {
      // the connection is gone either way
    }
    connection = null;
  }

  /** Stops taking events, writes those queued (waiting up to 10 s), and closes the connection. */
  @Override
  public void close() {
    close(java.time.Duration.ofSeconds(10));
  }

  /** {@link #close()}, waiting at most {@code limit} (at least 1 ms) for the queued events. */
  public void close(java.time.Duration limit) {
    accepting = false;
    try {
      writer.join(Math.max(1, limit.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (writer.isAlive()) {
      LOG.warn("event store: {} events still queued at close", queue.size());
      writer.interrupt();
    } else {
      closeQuietly();
    }
  }

  /** Why the store could not take or write an event. */
  public static final class EventStoreException extends ClassifiedException {
    private static final long serialVersionUID = 1L;

    public EventStoreException(String message) {
      super(ErrorKind.UNAVAILABLE, "store_unavailable", message);
    }

    public EventStoreException(String message, Throwable cause) {
      super(ErrorKind.UNAVAILABLE, "store_unavailable", message, cause);
    }
  }

  /** This store's replica name (in assignment records). */
  public String replica() {
    return replica;
  }
}
