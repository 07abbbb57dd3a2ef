package io.adahit.server.events;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
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
 * writer thread with group commit (whatever is queued goes into one transaction, up to
 * {@value #MAX_GROUP} events). A write's future completes only after its transaction committed,
 * so a caller acknowledges an event only once it is durable: nothing acknowledged is lost when the
 * process is killed (see {@link EventDatabase} for SQLite's fsync settings). If a group fails, its
 * events are retried one by one so a bad event fails alone; a broken connection is reopened.
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
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private record Job<T>(Work<T> work, CompletableFuture<T> future) {
    void complete(Object result) {
      @SuppressWarnings("unchecked")
      T t = (T) result;
      future.complete(t);
    }
  }

  private final EventDatabase db;
  private final String replica;
  private final Clock clock;
  private final EventQueries queries;
  private final BlockingQueue<Job<?>> queue = new LinkedBlockingQueue<>(QUEUE_CAPACITY);
  private final Thread writer;
  private volatile boolean accepting = true;
  private Connection connection;   // the writer thread's only

  private EventStore(EventDatabase db, String replica, Clock clock) {
    this.db = db;
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
    db.migrate();
    EventStore store = new EventStore(db, replica, clock);
    store.connection = db.connect();
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
    return submit(c -> {
      try (PreparedStatement s = c.prepareStatement("INSERT INTO ab_assignments (conversation_id, experiment,"
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

  /** @return completes with the feedback's id once committed */
  public CompletableFuture<String> recordFeedback(FeedbackRecord f) {
    String id = UUID.randomUUID().toString();
    long now = clock.millis();
    return submit(c -> {
      try (PreparedStatement s = c.prepareStatement("INSERT INTO ab_feedback (event_id, conversation_id, experiment,"
          + " variant, skill, episode, turn, rating, thumbs_up, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        s.setString(1, id);
        s.setString(2, f.conversationId());
        s.setString(3, f.experiment());
        s.setString(4, f.variant());
        s.setString(5, f.skill());
        s.setInt(6, f.episode());
        setInt(s, 7, f.turn());
        setInt(s, 8, f.rating());
        setInt(s, 9, f.thumbsUp() == null ? null : f.thumbsUp() ? 1 : 0);
        s.setLong(10, now);
        s.executeUpdate();
        return id;
      }
    });
  }

  /** @return completes with the episode record's id once committed */
  public CompletableFuture<String> recordEpisode(EpisodeRecord e) {
    String id = UUID.randomUUID().toString();
    long now = clock.millis();
    return submit(c -> {
      try (PreparedStatement s = c.prepareStatement("INSERT INTO ab_episodes (event_id, conversation_id, experiment,"
          + " variant, skill, episode, turns, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        s.setString(1, id);
        s.setString(2, e.conversationId());
        s.setString(3, e.experiment());
        s.setString(4, e.variant());
        s.setString(5, e.skill());
        s.setInt(6, e.episode());
        s.setInt(7, e.turns());
        s.setLong(8, now);
        s.executeUpdate();
        return id;
      }
    });
  }

  /** Stores (or updates) an experiment's definition. */
  public CompletableFuture<Void> saveExperiment(String name, String skill, String definitionJson, String source,
      boolean active) {
    long now = clock.millis();
    return submit(c -> {
      try (PreparedStatement s = c.prepareStatement("INSERT INTO ab_experiments (name, skill, definition, source,"
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

  private static void setInt(PreparedStatement s, int index, Integer value) throws SQLException {
    if (value == null) {
      s.setNull(index, Types.INTEGER);
    } else {
      s.setInt(index, value);
    }
  }

  private <T> CompletableFuture<T> submit(Work<T> work) {
    CompletableFuture<T> f = new CompletableFuture<>();
    if (!accepting) {
      f.completeExceptionally(new EventStoreException("event store is closed"));
    } else if (!queue.offer(new Job<>(work, f))) {
      f.completeExceptionally(new EventStoreException("event store is overloaded: " + QUEUE_CAPACITY
          + " events wait for " + db.redacted()));
    }
    return f;
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
        if (!commit(group) && group.size() > 1) {
          for (Job<?> j : group) {   // isolate the event that failed the group
            commit(List.of(j));
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException e) {
        LOG.error("event store writer error (continuing)", e);
      }
    }
    Job<?> j;
    while ((j = queue.poll()) != null) {
      j.future().completeExceptionally(new EventStoreException("event store closed before this event was written"));
    }
  }

  /**
   * Runs the jobs in one transaction; completes them after the commit. On failure rolls back and
   * returns false; a lone job is then failed with the database's message.
   */
  private boolean commit(List<Job<?>> jobs) {
    Object[] results = new Object[jobs.size()];
    try {
      Connection c = connection();
      for (int i = 0; i < jobs.size(); i++) {
        results[i] = jobs.get(i).work().run(c);
      }
      c.commit();
    } catch (SQLException | RuntimeException e) {
      rollbackQuietly();
      if (jobs.size() == 1) {
        String why = "event store " + db.redacted() + ": " + e.getMessage();
        LOG.warn(why);
        jobs.get(0).future().completeExceptionally(new EventStoreException(why, e));
      }
      return false;
    }
    for (int i = 0; i < jobs.size(); i++) {
      jobs.get(i).complete(results[i]);
    }
    return true;
  }

  private Connection connection() throws SQLException {
    if (connection == null || connection.isClosed() || !connection.isValid(2)) {
      closeQuietly();
      connection = db.connect();
    }
    return connection;
  }

  private void rollbackQuietly() {
    try {
      if (connection != null && !connection.isClosed()) {
        connection.rollback();
      }
    } catch (SQLException e) {
      closeQuietly();   // reconnect for the next group
    }
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
    accepting = false;
    try {
      writer.join(10_000);
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
  public static final class EventStoreException extends RuntimeException {
    public EventStoreException(String message) {
      super(message);
    }

    public EventStoreException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** This store's replica name (in assignment records). */
  public String replica() {
    return replica;
  }
}
