package io.adahit.server.chat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * Chat logs in ParlAI's Conversations format ({@code parlai/utils/conversations.py}): one JSON line
 * per finished episode, {@code {"dialog": [[user turn, bot turn], ...], "context": [...],
 * "metadata_path": ...}}, beside a {@code <file>.metadata} sidecar {@code {date, opt, self_chat,
 * speakers, version}}. Each episode is written and flushed when it finishes, so a killed process
 * loses only the episodes still open. Thread-safe.
 *
 * <pre>{@code
 * try (ConversationLog log = ConversationLog.open(json, Path.of("logs"), opt)) {
 *   log.append(conversation, exchanges, start, Instant.now());
 * }
 * }</pre>
 */
public final class ConversationLog implements AutoCloseable {

  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private final ObjectMapper json;
  private final Path file;
  private final Path metadata;
  private final BufferedWriter out;
  private long episodes;

  private ConversationLog(ObjectMapper json, Path file, Path metadata, BufferedWriter out) {
    this.json = json;
    this.file = file;
    this.metadata = metadata;
    this.out = out;
  }

  /**
   * Starts a new log file {@code dir/chats_<UTC time>.jsonl} (the metadata sidecar is written at once).
   *
   * @param opt the server's options, recorded in the metadata
   */
  public static ConversationLog open(ObjectMapper json, Path dir, Map<String, ?> opt) throws IOException {
    Files.createDirectories(dir);
    String stamp = STAMP.format(Instant.now());
    Path file = dir.resolve("chats_" + stamp + ".jsonl");
    for (int i = 1; Files.exists(file); i++) {
      file = dir.resolve("chats_" + stamp + "-" + i + ".jsonl");
    }
    Path meta = file.resolveSibling(file.getFileName() + ".metadata");
    ObjectNode m = json.createObjectNode();
    m.put("date", Instant.now().toString());
    m.set("opt", json.valueToTree(opt));
    m.put("self_chat", false);
    m.set("speakers", json.createArrayNode().add("user").add("bot"));
    m.put("version", "0.1");
    Files.write(meta, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(m));
    BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
    return new ConversationLog(json, file, meta, w);
  }

  public Path file() {
    return file;
  }

  /** Writes one finished episode and flushes it; an empty episode is skipped. */
  public void append(Conversation c, int episode, List<Conversation.Exchange> exchanges, Instant start, Instant end) {
    if (exchanges.isEmpty()) {
      return;
    }
    ObjectNode line = json.createObjectNode();
    ArrayNode dialog = line.putArray("dialog");
    for (int i = 0; i < exchanges.size(); i++) {
      Conversation.Exchange x = exchanges.get(i);
      boolean last = i == exchanges.size() - 1;
      ObjectNode user = json.createObjectNode();
      user.put("id", "user");
      user.put("text", x.user());
      user.put("episode_done", false);
      ObjectNode bot = json.createObjectNode();
      bot.put("id", x.reply().skill() == null ? c.skill().name() : x.reply().skill());
      bot.put("text", x.reply().text());
      if (x.reply().routing() != null) {
        bot.put("router", c.skill().name());
        bot.set("routing", json.valueToTree(x.reply().routing().probabilities()));
      }
      List<String> cands = x.reply().textCandidates();
      bot.set("text_candidates", json.valueToTree(cands.subList(0, Math.min(5, cands.size()))));
      bot.put("episode_done", last);
      dialog.add(json.createArrayNode().add(user).add(bot));
    }
    ArrayNode context = line.putArray("context");
    if (!c.persona().isEmpty()) {
      ObjectNode p = json.createObjectNode();
      p.put("id", "context");
      p.put("text", c.personaLines());
      p.set("persona", json.valueToTree(c.persona()));
      context.add(p);
    }
    line.put("metadata_path", metadata.toString());
    line.put("conversation_id", c.id());
    line.put("episode", episode);
    line.put("skill", c.skill().name());
    if (c.assignment() != null) {
      line.put("experiment", c.assignment().experiment());
      line.put("variant", c.assignment().variant());
    }
    line.put("transport", c.transport());
    line.put("start", start.toString());
    line.put("end", end.toString());
    synchronized (this) {
      try {
        out.write(json.writeValueAsString(line));
        out.newLine();
        out.flush();
        episodes++;
      } catch (IOException e) {
        throw new UncheckedIOException("conversation log " + file + ": " + e.getMessage(), e);
      }
    }
  }

  /** Episodes written so far. */
  public synchronized long episodes() {
    return episodes;
  }

  @Override
  public synchronized void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
