package io.adahit.server.events;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Collections;
import java.util.List;

/**
 * The insert of one row of an episode's event ({@code ab_feedback}, {@code ab_episodes}): a new
 * event id, the conversation's experiment, variant, skill and episode, the event's own columns, and
 * created_at; a retry of the same insert is a no-op (ON CONFLICT (event_id) DO NOTHING).
 */
final class EpisodeEventRows {

  private EpisodeEventRows() {}

  /** What every episode event names: its conversation, experiment, variant, skill and episode. */
  interface EpisodeEvent {
    String conversationId();

    String experiment();

    String variant();

    String skill();

    int episode();
  }

  /** Sets an event row's own columns, parameters 7 on. */
  @FunctionalInterface
  interface OwnColumns {
    void set(PreparedStatement s) throws SQLException;
  }

  /**
   * The writer's work that inserts {@code e} into {@code table}.
   *
   * @param id the event id, drawn once before the first attempt so that a retry inserts the same
   *     row
   * @param columns the event's own columns, set by {@code values}
   * @param now created_at
   * @return work that answers {@code id}
   */
  static EventStore.Work<String> insert(
      String table, List<String> columns, String id, EpisodeEvent e, long now, OwnColumns values) {
    int createdAt = 7 + columns.size();
    String sql =
        "INSERT INTO "
            + table
            + " (event_id, conversation_id, experiment, variant, skill, episode, "
            + String.join(", ", columns)
            + ", created_at) VALUES ("
            + String.join(", ", Collections.nCopies(createdAt, "?"))
            + ") ON CONFLICT (event_id) DO NOTHING";
    return c -> {
      try (PreparedStatement s = c.prepareStatement(sql)) {
        s.setString(1, id);
        s.setString(2, e.conversationId());
        s.setString(3, e.experiment());
        s.setString(4, e.variant());
        s.setString(5, e.skill());
        s.setInt(6, e.episode());
        values.set(s);
        s.setLong(createdAt, now);
        s.executeUpdate();
        return id;
      }
    };
  }

  /** Sets a nullable integer parameter. */
  static void setInt(PreparedStatement s, int index, Integer value) throws SQLException {
    if (value == null) {
      s.setNull(index, Types.INTEGER);
    } else {
      s.setInt(index, value);
    }
  }
}
