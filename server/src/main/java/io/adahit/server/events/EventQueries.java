package io.adahit.server.events;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads over the event store: per-variant sums for the report, stored experiment definitions, a
 * conversation's assignments. Each call opens a short connection of its own (with SQLite in WAL
 * mode readers never block the writer). Blocking: call from an admin or CLI thread.
 *
 * <pre>{@code
 * EventQueries q = new EventQueries(EventDatabase.of(config.events()));
 * Map<String, VariantCounts> byVariant = q.counts("convai2-da");
 * }</pre>
 */
public final class EventQueries {

  private final EventDatabase db;

  public EventQueries(EventDatabase db) {
    this.db = db;
  }

  /**
   * Variant name → its sums over every stored event of {@code experiment}, variants sorted by name.
   */
  public Map<String, VariantCounts> counts(String experiment) throws SQLException {
    Map<String, long[]> sums = new java.util.TreeMap<>();
    Function<String, long[]> row = v -> sums.computeIfAbsent(v, k -> new long[9]);
    try (Connection c = db.connect()) {
      query(
          c,
          "SELECT variant, COUNT(*) FROM ab_assignments WHERE experiment = ? GROUP BY variant",
          experiment,
          rs -> row.apply(rs.getString(1))[0] = rs.getLong(2));
      query(
          c,
          "SELECT variant, COUNT(*), SUM(turns) FROM ab_episodes WHERE experiment = ? GROUP BY variant",
          experiment,
          rs -> {
            long[] r = row.apply(rs.getString(1));
            r[1] = rs.getLong(2);
            r[2] = rs.getLong(3);
          });
      query(
          c,
          "SELECT variant, COUNT(rating), COALESCE(SUM(rating), 0), COALESCE(SUM(rating * rating), 0),"
              + " SUM(CASE WHEN thumbs_up = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN thumbs_up = 0 THEN 1 ELSE 0 END),"
              + " COUNT(DISTINCT conversation_id) FROM ab_feedback WHERE experiment = ? GROUP BY variant",
          experiment,
          rs -> {
            long[] r = row.apply(rs.getString(1));
            for (int i = 0; i < 6; i++) {
              r[3 + i] = rs.getLong(2 + i);
            }
          });
      c.rollback();
    }
    Map<String, VariantCounts> out = new LinkedHashMap<>();
    sums.forEach(
        (v, r) ->
            out.put(v, new VariantCounts(v, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8])));
    return out;
  }

  /** Every stored experiment definition, by name. */
  public List<StoredExperiment> experiments() throws SQLException {
    List<StoredExperiment> out = new ArrayList<>();
    try (Connection c = db.connect();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT name, skill, definition, source, active, updated_at FROM ab_experiments ORDER BY name");
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        out.add(
            new StoredExperiment(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getInt(5) == 1,
                rs.getLong(6)));
      }
    }
    return out;
  }

  /** The stored definition of {@code name}, if any. */
  public Optional<StoredExperiment> experiment(String name) throws SQLException {
    return experiments().stream().filter(e -> e.name().equals(name)).findFirst();
  }

  /** Every stored assignment of a conversation (one per experiment it was in). */
  public List<AssignmentRecord> assignments(String conversationId) throws SQLException {
    try (Connection c = db.connect()) {
      return assignments(c, conversationId);
    }
  }

  /** Ids of every stored feedback event (tests and audits). */
  public List<String> feedbackIds() throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = db.connect();
        PreparedStatement s =
            c.prepareStatement("SELECT event_id FROM ab_feedback ORDER BY created_at");
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  static List<AssignmentRecord> assignments(Connection c, String conversationId)
      throws SQLException {
    List<AssignmentRecord> out = new ArrayList<>();
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT conversation_id, experiment, variant, skill, transport"
                + " FROM ab_assignments WHERE conversation_id = ? ORDER BY created_at")) {
      s.setString(1, conversationId);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(
              new AssignmentRecord(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5)));
        }
      }
    }
    return out;
  }

  @FunctionalInterface
  private interface RowReader {
    void read(ResultSet rs) throws SQLException;
  }

  private static void query(Connection c, String sql, String experiment, RowReader reader)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, experiment);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          reader.read(rs);
        }
      }
    }
  }
}
