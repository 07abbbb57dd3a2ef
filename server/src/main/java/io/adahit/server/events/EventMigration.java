package io.adahit.server.events;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies an event store into another, e.g. a single replica's SQLite file into the PostgreSQL
 * database several replicas share: the A/B tables (experiments, assignments, feedback, episodes)
 * and the desired state of admin changes. Shared conversations in flight are not copied (stop the
 * single replica first; its WebSocket and Act conversations end with it). The source is read only
 * and must hold the current schema; the target is migrated (created if empty). Rows already in the
 * target (same key) are kept as they are, so running it twice copies nothing twice.
 *
 * <pre>{@code
 * Map<String, Result> r = EventMigration.copy(new EventDatabase("jdbc:sqlite:events/adahit-events.db", null, null),
 *     new EventDatabase("jdbc:postgresql://db/adahit", "adahit", password));
 * }</pre>
 */
public final class EventMigration {

  /** Tables copied, in this order, with their key columns. */
  static final Map<String, String> TABLES = tables();

  private static Map<String, String> tables() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("ab_experiments", "name");
    m.put("ab_assignments", "conversation_id, experiment");
    m.put("ab_feedback", "event_id");
    m.put("ab_episodes", "event_id");
    m.put("admin_desired", "kind, name");
    return java.util.Collections.unmodifiableMap(m);
  }

  /** Rows read from a source table and rows new in the target. */
  public record Result(long read, long inserted) {}

  private static final int BATCH = 500;

  private EventMigration() {}

  /**
   * @return table → rows read and inserted
   * @throws SQLException naming the database and table that failed; the target keeps what was
   *     committed before (each table is one transaction)
   * @throws IllegalArgumentException if source and target are the same URL
   */
  public static Map<String, Result> copy(EventDatabase from, EventDatabase to) throws SQLException {
    if (from.url().equals(to.url())) {
      throw new IllegalArgumentException(
          "events-migrate: --from and --to are the same database " + from.redacted());
    }
    from.requireSchema();
    to.migrate();
    Map<String, Result> out = new LinkedHashMap<>();
    try (Connection src = from.connect();
        Connection dst = to.connect()) {
      for (Map.Entry<String, String> t : TABLES.entrySet()) {
        try {
          out.put(t.getKey(), copyTable(src, dst, t.getKey(), t.getValue()));
          dst.commit();
        } catch (SQLException e) {
          dst.rollback();
          throw new SQLException(
              "events-migrate: table "
                  + t.getKey()
                  + " from "
                  + from.redacted()
                  + " to "
                  + to.redacted()
                  + " failed (nothing of this table committed): "
                  + e.getMessage(),
              e);
        }
      }
      src.commit();
    }
    return out;
  }

  private static Result copyTable(Connection src, Connection dst, String table, String key)
      throws SQLException {
    List<String> columns = new ArrayList<>();
    List<Integer> types = new ArrayList<>();
    try (Statement s = dst.createStatement();
        ResultSet r = s.executeQuery("SELECT * FROM " + table + " WHERE 1 = 0")) {
      ResultSetMetaData md = r.getMetaData();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        columns.add(md.getColumnName(i).toLowerCase(java.util.Locale.ROOT));
        types.add(md.getColumnType(i));
      }
    }
    String cols = String.join(", ", columns);
    String marks = String.join(", ", java.util.Collections.nCopies(columns.size(), "?"));
    long read = 0;
    long inserted = 0;
    try (Statement s = src.createStatement();
        ResultSet r = s.executeQuery("SELECT " + cols + " FROM " + table);
        PreparedStatement ins =
            dst.prepareStatement(
                "INSERT INTO "
                    + table
                    + " ("
                    + cols
                    + ") VALUES ("
                    + marks
                    + ") ON CONFLICT ("
                    + key
                    + ") DO NOTHING")) {
      int pending = 0;
      while (r.next()) {
        for (int i = 0; i < columns.size(); i++) {
          Object v = r.getObject(i + 1);
          if (v == null) {
            ins.setNull(i + 1, types.get(i));
          } else {
            ins.setObject(i + 1, v, types.get(i));
          }
        }
        ins.addBatch();
        read++;
        if (++pending == BATCH) {
          inserted += sum(ins.executeBatch());
          pending = 0;
        }
      }
      if (pending > 0) {
        inserted += sum(ins.executeBatch());
      }
    }
    return new Result(read, inserted);
  }

  private static long sum(int[] counts) {
    long n = 0;
    for (int c : counts) {
      n += Math.max(0, c); // SUCCESS_NO_INFO (-2) would count 0; both drivers report row counts
    }
    return n;
  }
}
