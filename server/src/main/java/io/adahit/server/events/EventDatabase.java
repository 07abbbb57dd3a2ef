package io.adahit.server.events;

import io.adahit.server.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the A/B events live: a JDBC URL (SQLite or PostgreSQL), its credentials, and the one
 * schema, migrated by Flyway from {@code io/adahit/server/events/migration} on open.
 *
 * <p>SQLite runs in WAL mode with {@code synchronous=FULL}: every commit fsyncs the write-ahead
 * log, so a committed event survives a power cut as well as a killed process. ({@code NORMAL} would
 * already survive kill -9, since the WAL is in the OS page cache; it may lose the last commits on a
 * power cut. Commits are grouped, so FULL costs one fsync per group.) PostgreSQL's default {@code
 * synchronous_commit=on} gives the same guarantee.
 *
 * <p>PostgreSQL connections are bounded in time unless the URL says otherwise: {@code
 * connectTimeout=5} (seconds for the TCP connect; pgjdbc's default is 10) and {@code
 * loginTimeout=10} (the whole connect, authentication included; pgjdbc's default waits forever).
 * While the database is down the event writer waits at most that long per group of events, not per
 * event. A parameter in the URL wins, e.g. {@code
 * jdbc:postgresql://db/adahit?connectTimeout=2&socketTimeout=30} (socketTimeout, unset by default,
 * also bounds a statement on a connection that went silent).
 *
 * <pre>{@code
 * EventDatabase db = EventDatabase.of(config.events());
 * db.migrate();                 // the server; a read-only tool calls db.requireSchema() instead
 * try (Connection c = db.connect()) { ... }
 * }</pre>
 */
public final class EventDatabase {

  private static final Logger LOG = LoggerFactory.getLogger(EventDatabase.class);

  /** Flyway's classpath location of the migrations. */
  public static final String MIGRATIONS = "classpath:io/adahit/server/events/migration";

  /** Flyway's schema history table. */
  private static final String HISTORY = "ab_schema_history";

  /**
   * PostgreSQL connect and login timeouts (seconds) unless the URL sets them; see the class
   * comment.
   */
  static final String PG_CONNECT_TIMEOUT = "5";

  static final String PG_LOGIN_TIMEOUT = "10";

  private final String url;
  private final String user;
  private final String password;

  /**
   * @param user null for none (SQLite)
   * @param password null for none
   */
  public EventDatabase(String url, String user, String password) {
    if (url == null || !(url.startsWith("jdbc:sqlite:") || url.startsWith("jdbc:postgresql:"))) {
      throw new IllegalArgumentException(
          "event store: the URL must start with jdbc:sqlite: or jdbc:postgresql:, found '"
              + ServerConfig.Events.redact(url)
              + "'");
    }
    this.url = url;
    this.user = user;
    this.password = password;
  }

  /**
   * The database of the config's {@code events} section; the password is read from the environment
   * variable it names.
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
        throw new IllegalArgumentException(
            "event store: events.passwordEnv names "
                + config.passwordEnv()
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

  /**
   * Brings the schema up to date (creating it in an empty database); safe to run from many
   * replicas.
   */
  public MigrateResult migrate() throws SQLException {
    createSqliteFolder();
    try {
      MigrateResult r = flyway().migrate();
      if (r.migrationsExecuted > 0) {
        LOG.info(
            "event store {}: schema migrated to version {}", redacted(), r.targetSchemaVersion);
      }
      return r;
    } catch (FlywayException e) {
      throw new SQLException(
          "event store " + redacted() + ": schema migration failed: " + e.getMessage(), e);
    }
  }

  /**
   * Checks, without changing anything, that the database exists and holds this schema, up to date:
   * for read-only tools (reports), where migrating would create an empty store at a mistyped path.
   *
   * @throws SQLException naming the URL (redacted) and what is missing: the SQLite file, the
   *     schema, or migrations (the server applies them when it starts)
   */
  public void requireSchema() throws SQLException {
    Path file = sqliteFile();
    if (file != null && !Files.isRegularFile(file)) {
      throw new SQLException(
          "event store "
              + redacted()
              + ": no SQLite file "
              + file.toAbsolutePath()
              + " (the server creates it on its first start; check the path)");
    }
    MigrationInfoService info;
    try {
      info = flyway().info();
    } catch (FlywayException e) {
      throw new SQLException("event store " + redacted() + " cannot be read: " + e.getMessage(), e);
    }
    MigrationInfo current = info.current();
    if (current == null) {
      throw new SQLException(
          "event store "
              + redacted()
              + " holds no A/B event schema (no "
              + HISTORY
              + " table): is this the server's events.url?");
    }
    if (info.pending().length > 0) {
      throw new SQLException(
          "event store "
              + redacted()
              + ": schema version "
              + current.getVersion()
              + " is older"
              + " than this tool's ("
              + info.pending()[info.pending().length - 1].getVersion()
              + "); start the server"
              + " once to migrate it");
    }
  }

  private Flyway flyway() {
    return Flyway.configure(getClass().getClassLoader())
        .dataSource(url, user, password)
        .locations(MIGRATIONS)
        .table(HISTORY)
        .load();
  }

  /** A new connection, auto-commit off (SQLite: WAL, synchronous=FULL, 5 s busy timeout). */
  public Connection connect() throws SQLException {
    createSqliteFolder();
    Connection c = DriverManager.getConnection(url, connectProperties());
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

  /**
   * A pool of at most {@code size} auto-commit connections (HikariCP), for many short statements
   * from several threads (the shared conversation store); SQLite connections get the same WAL,
   * synchronous=FULL and busy-timeout settings as {@link #connect}. Close it when done.
   *
   * @throws SQLException if the first connection cannot be made (checked at once)
   */
  public com.zaxxer.hikari.HikariDataSource pool(String name, int size) throws SQLException {
    createSqliteFolder();
    com.zaxxer.hikari.HikariConfig h = new com.zaxxer.hikari.HikariConfig();
    h.setPoolName(name);
    h.setJdbcUrl(url);
    Properties p = connectProperties();
    if (isSqlite()) {
      p.setProperty("journal_mode", "WAL");
      p.setProperty("synchronous", "FULL");
      p.setProperty("busy_timeout", "5000");
    }
    h.setDataSourceProperties(p);
    h.setMaximumPoolSize(size);
    h.setMinimumIdle(1);
    h.setAutoCommit(true);
    h.setConnectionTimeout(10_000);
    try {
      return new com.zaxxer.hikari.HikariDataSource(h);
    } catch (RuntimeException e) {
      throw new SQLException(
          "database "
              + redacted()
              + ": connection pool "
              + name
              + " could not start: "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Credentials, and for PostgreSQL the connect and login timeouts (the URL's own parameters win).
   */
  Properties connectProperties() {
    Properties p = new Properties();
    if (user != null) {
      p.setProperty("user", user);
    }
    if (password != null) {
      p.setProperty("password", password);
    }
    if (!isSqlite()) {
      p.setProperty("connectTimeout", PG_CONNECT_TIMEOUT);
      p.setProperty("loginTimeout", PG_LOGIN_TIMEOUT);
    }
    return p;
  }

  /**
   * Whether {@code e} (or a cause) says the connection failed rather than a statement: a {@code
   * SQL*ConnectionException} or SQLState class 08 (connection exception).
   */
  public static boolean isConnectionFailure(Throwable e) {
    Throwable t = e;
    for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException
          || t instanceof SQLNonTransientConnectionException) {
        return true;
      }
      if (t instanceof SQLException s
          && s.getSQLState() != null
          && s.getSQLState().startsWith("08")) {
        return true;
      }
    }
    return false;
  }

  /** The URL without its parameters or user info (which may carry credentials), for messages. */
  public String redacted() {
    return ServerConfig.Events.redact(url);
  }

  /**
   * The SQLite database file, or null for PostgreSQL, an in-memory or a {@code file:} URI database.
   */
  private Path sqliteFile() {
    if (!isSqlite()) {
      return null;
    }
    String file = url.substring("jdbc:sqlite:".length());
    int q = file.indexOf('?');
    file = q < 0 ? file : file.substring(0, q);
    return file.isEmpty() || file.equals(":memory:") || file.startsWith("file:")
        ? null
        : Path.of(file);
  }

  private void createSqliteFolder() throws SQLException {
    Path file = sqliteFile();
    Path parent = file == null ? null : file.toAbsolutePath().getParent();
    try {
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new SQLException(
          "event store " + redacted() + ": cannot create folder " + parent + ": " + e.getMessage(),
          e);
    }
  }
}
