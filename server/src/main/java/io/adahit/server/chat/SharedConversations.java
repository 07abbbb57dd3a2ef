package io.adahit.server.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.adahit.server.events.EventDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The shared store of gRPC Act conversations ({@code conversations.shared}): one row per
 * conversation in table {@code conversation_state} of the event store's database (migration V2),
 * read before and written after every operation, so any replica continues any conversation.
 *
 * <p>Concurrency is optimistic: each row has a version; a write says which version it read ({@code
 * UPDATE ... WHERE version = ?}; 0 = a new row, {@code INSERT ... ON CONFLICT DO NOTHING}) and
 * fails with {@link ConversationConflictException} (gRPC ABORTED) when another replica wrote in
 * between. No lock or connection is held while a turn is computed. Within one replica the
 * conversation's own queue already orders its operations, so a conflict needs two replicas
 * answering the same conversation at the same time (a client that does not wait for its replies, or
 * a retry racing the original).
 *
 * <p>Statements run on this store's threads (never an event loop, transport or inference thread)
 * over a small HikariCP pool; each is one auto-commit statement. Times go to the timers {@code
 * adahit.conversations.shared.time{op=load|save|delete}} and, per turn (its read and its write),
 * {@code adahit.conversations.shared.turn}.
 *
 * <pre>{@code
 * SharedConversations store = SharedConversations.open(db, "replica-1", json, Clock.systemUTC(), registry);
 * Optional<Stored> s = store.load(id).join();
 * long v = store.save(id, s.map(Stored::version).orElse(0L), state).join();
 * }</pre>
 */
public final class SharedConversations implements AutoCloseable {

  /** Threads (and pooled connections) running the statements. */
  static final int THREADS = 4;

  /** A stored conversation. */
  public record Stored(String id, ConversationState state, long version, long updatedAt) {}

  private final HikariDataSource pool;
  private final ExecutorService executor;
  private final ObjectMapper json;
  private final String replica;
  private final Clock clock;
  private final Timer loads;
  private final Timer saves;
  private final Timer deletes;
  private final Timer turns;
  private final String where;

  private SharedConversations(
      HikariDataSource pool,
      String where,
      String replica,
      ObjectMapper json,
      Clock clock,
      MeterRegistry registry) {
    this.pool = pool;
    this.where = where;
    this.replica = replica;
    this.json = json;
    this.clock = clock;
    AtomicInteger n = new AtomicInteger();
    this.executor =
        Executors.newFixedThreadPool(
            THREADS,
            r -> {
              Thread t = new Thread(r, "adahit-conversations-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.loads = timer(registry, "load");
    this.saves = timer(registry, "save");
    this.deletes = timer(registry, "delete");
    this.turns =
        Timer.builder("adahit.conversations.shared.turn")
            .description("a shared conversation's read and write of one turn together")
            .publishPercentiles(0.5, 0.99)
            .publishPercentileHistogram()
            .register(registry);
  }

  private static Timer timer(MeterRegistry registry, String op) {
    return Timer.builder("adahit.conversations.shared.time")
        .tag("op", op)
        .description("one statement of the shared conversation store")
        .publishPercentiles(0.5, 0.99)
        .register(registry);
  }

  /**
   * Migrates the schema (idempotent) and opens the pool.
   *
   * @param replica this process's name, written with each save
   * @throws SQLException if the database cannot be reached or migrated
   */
  public static SharedConversations open(
      EventDatabase db, String replica, ObjectMapper json, Clock clock, MeterRegistry registry)
      throws SQLException {
    db.migrate();
    return new SharedConversations(
        db.pool("adahit-conversations", THREADS), db.redacted(), replica, json, clock, registry);
  }

  /** Records a turn's store time (its read and its write). */
  void recordTurn(long nanos) {
    turns.record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * The conversation's stored state, or empty if it is not stored (never was, ended, or expired).
   */
  public CompletableFuture<Optional<Stored>> load(String id) {
    return run(
        loads,
        () -> {
          try (Connection c = pool.getConnection();
              PreparedStatement s =
                  c.prepareStatement(
                      "SELECT state, version, updated_at FROM conversation_state WHERE conversation_id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
              if (!r.next()) {
                return Optional.empty();
              }
              return Optional.of(
                  new Stored(id, read(r.getString(1), id), r.getLong(2), r.getLong(3)));
            }
          }
        });
  }

  /**
   * Writes the state if the stored version is still {@code expected} (0: the row must not exist
   * yet).
   *
   * @return completes with the new version; exceptionally with {@link
   *     ConversationConflictException} if another replica wrote (or ended the conversation) since
   *     {@code expected} was read
   */
  public CompletableFuture<Long> save(String id, long expected, ConversationState state) {
    String text = write(state);
    return run(
        saves,
        () -> {
          long now = clock.millis();
          try (Connection c = pool.getConnection()) {
            int rows;
            if (expected == 0) {
              try (PreparedStatement s =
                  c.prepareStatement(
                      "INSERT INTO conversation_state (conversation_id, version,"
                          + " skill, transport, state, replica, updated_at) VALUES (?, 1, ?, ?, ?, ?, ?)"
                          + " ON CONFLICT (conversation_id) DO NOTHING")) {
                s.setString(1, id);
                s.setString(2, state.skill());
                s.setString(3, state.transport());
                s.setString(4, text);
                s.setString(5, replica);
                s.setLong(6, now);
                rows = s.executeUpdate();
              }
            } else {
              try (PreparedStatement s =
                  c.prepareStatement(
                      "UPDATE conversation_state SET version = ?, state = ?,"
                          + " replica = ?, updated_at = ? WHERE conversation_id = ? AND version = ?")) {
                s.setLong(1, expected + 1);
                s.setString(2, text);
                s.setString(3, replica);
                s.setLong(4, now);
                s.setString(5, id);
                s.setLong(6, expected);
                rows = s.executeUpdate();
              }
            }
            if (rows != 1) {
              throw new ConversationConflictException(id, expected);
            }
            return expected + 1;
          }
        });
  }

  /** Removes the conversation (it ended). Completes with true if a row was removed. */
  public CompletableFuture<Boolean> delete(String id) {
    return run(
        deletes,
        () -> {
          try (Connection c = pool.getConnection();
              PreparedStatement s =
                  c.prepareStatement("DELETE FROM conversation_state WHERE conversation_id = ?")) {
            s.setString(1, id);
            return s.executeUpdate() == 1;
          }
        });
  }

  /**
   * Removes conversations no replica has written for longer than {@code idle} and returns them, at
   * most {@code limit}, for their episodes to be logged. Blocking. Each row is removed with a
   * version check, so when several replicas sweep at once each conversation is returned to one.
   */
  public List<Stored> expire(Duration idle, int limit) throws SQLException {
    long before = clock.millis() - idle.toMillis();
    List<Stored> candidates = new ArrayList<>();
    List<Stored> removed = new ArrayList<>();
    try (Connection c = pool.getConnection()) {
      try (PreparedStatement s =
          c.prepareStatement(
              "SELECT conversation_id, state, version, updated_at FROM"
                  + " conversation_state WHERE updated_at < ? ORDER BY updated_at LIMIT ?")) {
        s.setLong(1, before);
        s.setInt(2, limit);
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            String id = r.getString(1);
            try {
              candidates.add(new Stored(id, read(r.getString(2), id), r.getLong(3), r.getLong(4)));
            } catch (
                RuntimeException e) { // unreadable: removed below all the same, without an episode
              candidates.add(new Stored(id, null, r.getLong(3), r.getLong(4)));
            }
          }
        }
      }
      try (PreparedStatement d =
          c.prepareStatement(
              "DELETE FROM conversation_state WHERE conversation_id = ? AND version = ?")) {
        for (Stored s : candidates) {
          d.setString(1, s.id());
          d.setLong(2, s.version());
          if (d.executeUpdate() == 1) {
            removed.add(s);
          }
        }
      }
    }
    return removed;
  }

  /** Conversations stored now (all replicas). */
  public long count() throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM conversation_state");
        ResultSet r = s.executeQuery()) {
      r.next();
      return r.getLong(1);
    }
  }

  /** A statement's work, on this store's threads. */
  @FunctionalInterface
  private interface Work<T> {
    T run() throws SQLException;
  }

  private <T> CompletableFuture<T> run(Timer timer, Work<T> work) {
    CompletableFuture<T> f = new CompletableFuture<>();
    try {
      executor.execute(
          () -> {
            long t0 = System.nanoTime();
            try {
              f.complete(work.run());
            } catch (SQLException e) {
              f.completeExceptionally(
                  new SharedStoreException(
                      "shared conversation store " + where + ": " + e.getMessage(), e));
            } catch (RuntimeException e) {
              f.completeExceptionally(e);
            } finally {
              timer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      f.completeExceptionally(
          new SharedStoreException("shared conversation store is closed (shutting down)", e));
    }
    return f;
  }

  private ConversationState read(String text, String id) {
    try {
      return json.readValue(text, ConversationState.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "conversation '" + id + "': stored state unreadable: " + e.getOriginalMessage(), e);
    }
  }

  private String write(ConversationState state) {
    try {
      return json.writeValueAsString(state);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "conversation state cannot be encoded: " + e.getOriginalMessage(), e);
    }
  }

  /** Stops taking statements, lets the running ones finish (up to 5 s), closes the pool. */
  @Override
  public void close() {
    executor.shutdown();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pool.close();
  }

  /** The database could not be read or written: gRPC UNAVAILABLE. */
  public static final class SharedStoreException
      extends io.adahit.agents.errors.ClassifiedException {
    private static final long serialVersionUID = 1L;

    SharedStoreException(String message, Throwable cause) {
      super(io.adahit.agents.errors.ErrorKind.UNAVAILABLE, "store_unavailable", message, cause);
    }
  }
}
