package io.adahit.server.events;

import io.adahit.server.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the A/B events live: a JDBC URL (SQLite or PostgreSQL), its credentials, and the one
 * schema, migrated by Flyway from {@code io/adahit/server/events/migration} on open.
 *
 * <p>SQLite runs in WAL mode with {@code synchronous=FULL}: every commit fsyncs the write-ahead
 * log, so a committed event survives a power cut as well as a killed process. ({@code NORMAL}
 * would already survive kill -9, since the WAL is in the OS page cache; it may lose the last
 * commits on a power cut. Commits are grouped, so FULL costs one fsync per group.) PostgreSQL's
 * default {@code synchronous_commit=on} gives the same guarantee.
 *
 * <pre>{@code
 * EventDatabase db = EventDatabase.of(config.events());
 * db.migrate();
 * try (Connection c = db.connect()) { ... }
 * }</pre>
 */
public final class EventDatabase {

  private static final Logger LOG = LoggerFactory.getLogger(EventDatabase.class);

  /** Flyway's classpath location of the migrations. */
  public static final String MIGRATIONS = "classpath:io/adahit/server/events/migration";

  private final String url;
  private final String user;
  private final String password;

  /**
   * @param user null for none (SQLite)
   * @param password null for none
   */
  public EventDatabase(String url, String user, String password) {
    if (url == null || !(url.startsWith("jdbc:sqlite:") || url.startsWith("jdbc:postgresql:"))) {
      throw new IllegalArgumentException("event store: the URL must start with jdbc:sqlite: or jdbc:postgresql:, found '"
          + url + "'");
    }
    this.url = url;
    this.user = user;
    this.password = password;
  }

  /**
   * The database of the config's {@code events} section; the password is read from the
   * environment variable it names.
   *
   * @throws IllegalArgumentException if the store is disabled (url null) or the variable is unset
   */
  public static EventDatabase of(ServerConfig.Events config) {
    if (config.url() == null) {
      throw new IllegalArgumentException("event store: events.url is null (the store is disabled)");
    }
    String password = null;
    if (config.passwordEnv() != null) {
      password = System.getenv(config.passwordEnv());
      if (password == null) {
        throw new IllegalArgumentException("event store: events.passwordEnv names " + config.passwordEnv()
            + ", which is not set in the environment");
      }
    }
    return new EventDatabase(config.url(), config.user(), password);
  }

  public String url() {
    return url;
  }

  public boolean isSqlite() {
    return url.startsWith("jdbc:sqlite:");
  }

  /** Brings the schema up to date (creating it in an empty database); safe to run from many replicas. */
  public MigrateResult migrate() throws SQLException {
    createSqliteFolder();
    try {
      MigrateResult r = Flyway.configure(getClass().getClassLoader())
          .dataSource(url, user, password)
          .locations(MIGRATIONS)
          .table("ab_schema_history")
          .load()
          .migrate();
      if (r.migrationsExecuted > 0) {
        LOG.info("event store {}: schema migrated to version {}", redacted(), r.targetSchemaVersion);
      }
      return r;
    } catch (FlywayException e) {
      throw new SQLException("event store " + redacted() + ": schema migration failed: " + e.getMessage(), e);
    }
  }

  /** A new connection, auto-commit off (SQLite: WAL, synchronous=FULL, 5 s busy timeout). */
  public Connection connect() throws SQLException {
    createSqliteFolder();
    Properties p = new Properties();
    if (user != null) {
      p.setProperty("user", user);
    }
    if (password != null) {
      p.setProperty("password", password);
    }
    Connection c = DriverManager.getConnection(url, p);
    try {
      if (isSqlite()) {
        try (Statement s = c.createStatement()) {
          s.execute("PRAGMA journal_mode=WAL");
          s.execute("PRAGMA synchronous=FULL");
          s.execute("PRAGMA busy_timeout=5000");
        }
      }
      c.setAutoCommit(false);
      return c;
    } catch (SQLException e) {
      c.close();
      throw e;
    }
  }

  /** The URL without query parameters (which may carry credentials), for messages. */
  public String redacted() {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q) + "?...";
  }

  private void createSqliteFolder() throws SQLException {
    if (!isSqlite()) {
      return;
    }
    String file = url.substring("jdbc:sqlite:".length());
    int q = file.indexOf('?');
    file = q < 0 ? file : file.substring(0, q);
    if (file.isEmpty() || file.equals(":memory:") || file.startsWith("file:")) {
      return;
    }
    Path parent = Path.of(file).toAbsolutePath().getParent();
    try {
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new SQLException("event store " + url + ": cannot create folder " + parent + ": " + e.getMessage(), e);
    }
  }
}
