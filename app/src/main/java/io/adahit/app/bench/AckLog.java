package io.adahit.app.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a server acknowledged to a load client, one JSON line per acknowledgement, flushed as it is
 * written: an episode ended by {@code [DONE]} and answered ({@code "type": "episode"}), a feedback
 * event answered {@code "recorded"} ({@code "type": "feedback"}), an A/B assignment named in a
 * welcome ({@code "type": "assignment"}). A durability check then looks each one up in the server's
 * conversation logs and event store after the server was killed.
 *
 * <pre>{@code
 * try (AckLog acks = AckLog.open(Path.of("acks.jsonl"))) {
 *   acks.episode("c-1", 3);                      // {"type":"episode","conversation_id":"c-1","turns":3}
 *   acks.feedback("c-1", "f-9", "rating");
 * }
 * }</pre>
 */
public final class AckLog implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final BufferedWriter out;
  private final Map<String, Integer> counts = new TreeMap<>();

  private AckLog(BufferedWriter out) {
    this.out = out;
  }

  /** Opens {@code file} for appending (created if absent). */
  public static AckLog open(Path file) throws IOException {
    return new AckLog(
        Files.newBufferedWriter(
            file,
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND,
            StandardOpenOption.WRITE));
  }

  /** An episode the server answered {@code [DONE]} for, with the turns it answered in it. */
  public void episode(String conversationId, int turns) {
    Map<String, Object> m = record("episode", conversationId);
    m.put("turns", turns);
    write(m);
  }

  /** A feedback event the server answered "recorded" for; {@code kind} says what it rated. */
  public void feedback(String conversationId, String feedbackId, String kind) {
    Map<String, Object> m = record("feedback", conversationId);
    m.put("feedback_id", feedbackId);
    m.put("kind", kind);
    write(m);
  }

  /** An A/B assignment a welcome named (the server names it only once it is stored). */
  public void assignment(String conversationId, String experiment, String variant) {
    Map<String, Object> m = record("assignment", conversationId);
    m.put("experiment", experiment);
    m.put("variant", variant);
    write(m);
  }

  /** Acknowledgements written so far, by type. */
  public synchronized Map<String, Integer> counts() {
    return new TreeMap<>(counts);
  }

  private static Map<String, Object> record(String type, String conversationId) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", type);
    m.put("conversation_id", conversationId);
    m.put("at", System.currentTimeMillis());
    return m;
  }

  private synchronized void write(Map<String, Object> m) {
    try {
      out.write(JSON.writeValueAsString(m));
      out.write('\n');
      out.flush();
      counts.merge((String) m.get("type"), 1, Integer::sum);
    } catch (IOException e) {
      throw new UncheckedIOException("acknowledgement log: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() throws IOException {
    out.close();
  }
}
