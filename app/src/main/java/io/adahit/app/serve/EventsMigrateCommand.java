package io.adahit.app.serve;

import io.adahit.server.events.EventDatabase;
import io.adahit.server.events.EventMigration;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code adahit events-migrate}: copies an event store (e.g. one replica's SQLite file) into
 * another (the PostgreSQL database several replicas share); see {@link EventMigration}.
 */
@Command(
    name = "events-migrate",
    mixinStandardHelpOptions = true,
    description = {
      "Copy the A/B event store (experiments, assignments, feedback, episodes, desired admin state)"
          + " into another database, e.g. SQLite into the PostgreSQL that several replicas share. Rows already"
          + " there are kept; running it twice copies nothing twice.",
      "Example: adahit events-migrate --from jdbc:sqlite:events/adahit-events.db"
          + " --to jdbc:postgresql://db:5432/adahit --to-user adahit --to-password-env ADAHIT_EVENTS_PASSWORD"
    })
public final class EventsMigrateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "URL",
      description = "Source JDBC URL (read only).")
  String from;

  @Option(names = "--from-user", paramLabel = "USER", description = "Source database user.")
  String fromUser;

  @Option(
      names = "--from-password-env",
      paramLabel = "VAR",
      description = "Environment variable holding the source password.")
  String fromPasswordEnv;

  @Option(
      names = "--to",
      required = true,
      paramLabel = "URL",
      description = "Target JDBC URL (migrated, created if empty).")
  String to;

  @Option(names = "--to-user", paramLabel = "USER", description = "Target database user.")
  String toUser;

  @Option(
      names = "--to-password-env",
      paramLabel = "VAR",
      description = "Environment variable holding the target password.")
  String toPasswordEnv;

  @Override
  public Integer call() throws Exception {
    EventDatabase source =
        new EventDatabase(from, fromUser, password(fromPasswordEnv, "--from-password-env"));
    EventDatabase target =
        new EventDatabase(to, toUser, password(toPasswordEnv, "--to-password-env"));
    Map<String, EventMigration.Result> r;
    try {
      r = EventMigration.copy(source, target);
    } catch (java.sql.SQLException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf("%-16s %10s %10s%n", "table", "read", "inserted");
    r.forEach((t, n) -> out.printf("%-16s %10d %10d%n", t, n.read(), n.inserted()));
    out.println("copied " + source.redacted() + " -> " + target.redacted());
    out.flush();
    return 0;
  }

  private static String password(String env, String flag) {
    if (env == null) {
      return null;
    }
    String p = System.getenv(env);
    if (p == null) {
      throw new IllegalArgumentException(
          flag + " names " + env + ", which is not set in the environment");
    }
    return p;
  }
}
