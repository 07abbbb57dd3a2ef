package io.adahit.server.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
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
 * speakers, version}}. Each episode is written when it finishes, as one whole line in one {@code
 * write} call on a file opened for appending (no buffer in between), so a killed process loses only
 * the episodes still open and cannot leave half a line behind. Text that UTF-8 cannot encode (a
 * lone UTF-16 surrogate a client sent) is written as a JSON unicode escape: one bad character fails
 * neither its own record nor any later one. A failed write loses only its own record; the next one
 * starts on a new line. Thread-safe.
 *
 * <pre>{@code
 * try (ConversationLog log = ConversationLog.open(json, Path.of("logs"), opt)) {
 *   log.append(conversation, episode, exchanges, start, Instant.now());
 * }
 * }</pre>
 */
public final class ConversationLog implements AutoCloseable {

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private final ObjectMapper json;
  private final ObjectWriter writer;
  private final Path file;
  private final Path metadata;
  private final FileChannel out;
  private long episodes;

  /** The last write failed part-way: the next record first ends the torn line. */
  private boolean torn;

  private ConversationLog(ObjectMapper json, Path file, Path metadata, FileChannel out) {
    this.json = json;
    this.writer = json.writer().with(new SurrogateEscapes());
    this.file = file;
    this.metadata = metadata;
    this.out = out;
  }

  /**
   * Starts a new log file {@code dir/chats_<UTC time>.jsonl} (the metadata sidecar is written at
   * once).
   *
   * @param opt the server's options, recorded in the metadata
   */
  public static ConversationLog open(ObjectMapper json, Path dir, Map<String, ?> opt)
      throws IOException {
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
    FileChannel out =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE,
            StandardOpenOption.APPEND);
    return new ConversationLog(json, file, meta, out);
  }

  public Path file() {
    return file;
  }

  /**
   * Writes one finished episode (one line, one write call); an empty episode is skipped.
   *
   * @throws UncheckedIOException if this record could not be written (later records are unaffected)
   */
  public void append(
      Conversation c,
      int episode,
      List<Conversation.Exchange> exchanges,
      Instant start,
      Instant end) {
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
    byte[] record;
    try {
      record = writer.writeValueAsBytes(line);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(
          "conversation log "
              + file
              + ": episode "
              + episode
              + " of conversation "
              + c.id()
              + " cannot be encoded: "
              + e.getOriginalMessage(),
          e);
    }
    write(record);
  }

  private synchronized void write(byte[] record) {
    int lead = torn ? 1 : 0;
    ByteBuffer buf = ByteBuffer.allocate(lead + record.length + 1);
    if (torn) {
      buf.put((byte) '\n');
    }
    buf.put(record).put((byte) '\n').flip();
    try {
      while (buf
          .hasRemaining()) { // one call for a regular file; the loop only guards a short write
        out.write(buf);
      }
      torn = false;
      episodes++;
    } catch (IOException e) {
      torn = buf.position() > 0;
      throw new UncheckedIOException("conversation log " + file + ": " + e.getMessage(), e);
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
      throw new UncheckedIOException("conversation log " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * JSON's standard escapes, plus a unicode escape for every UTF-16 surrogate: a lone one (which
   * UTF-8 cannot encode) is kept as JSON allows, and a pair decodes to its character as before.
   */
  private static final class SurrogateEscapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    private final int[] ascii = standardAsciiEscapesForJSON();

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      return Character.isSurrogate((char) ch)
          ? new SerializedString(String.format("\\u%04x", ch))
          : null;
    }
  }
}
