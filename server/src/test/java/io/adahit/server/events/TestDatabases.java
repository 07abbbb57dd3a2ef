package io.adahit.server.events;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a fresh, empty event database of either kind: {@code db.create("sqlite")} (a file in
 * a temporary folder) or {@code db.create("postgresql")} (a new database in the run's {@link
 * PostgresCluster}; the test is skipped when PostgreSQL is not installed).
 *
 * <pre>{@code
 * @ExtendWith(TestDatabases.class)
 * class MyTest {
 *   @ParameterizedTest @ValueSource(strings = {"sqlite", "postgresql"})
 *   void works(String kind, TestDatabases.Factory db) throws Exception { String url = db.create(kind); }
 * }
 * }</pre>
 */
public final class TestDatabases implements ParameterResolver {

  /** Makes empty databases for one test. */
  public static final class Factory {
    private final ExtensionContext context;

    Factory(ExtensionContext context) {
      this.context = context;
    }

    /** A JDBC URL of a fresh, empty database of {@code kind} ("sqlite" or "postgresql"). */
    public String create(String kind) throws Exception {
      return switch (kind) {
        case "sqlite" ->
            "jdbc:sqlite:" + Files.createTempDirectory("adahit-events-").resolve("events.db");
        case "postgresql" -> PostgresCluster.get(context).newDatabase();
        default ->
            throw new IllegalArgumentException(
                "database kind must be sqlite or postgresql, found " + kind);
      };
    }

    /** A fresh database's {@link EventDatabase}. */
    public EventDatabase database(String kind) throws Exception {
      return new EventDatabase(create(kind), null, null);
    }

    /** The SQLite file of a jdbc:sqlite: URL. */
    public static Path sqliteFile(String url) {
      return Path.of(url.substring("jdbc:sqlite:".length()));
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == Factory.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    return new Factory(e);
  }
}
