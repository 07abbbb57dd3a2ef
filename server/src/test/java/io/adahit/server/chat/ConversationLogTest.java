package io.adahit.server.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.agents.ranker.CandidateIndex;
import io.adahit.server.skills.Skill;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The conversation log: bad characters and large records. */
class ConversationLogTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static Skill skill;

  @BeforeAll
  static void skill() {
    skill =
        new Skill(
            "base",
            null,
            new CandidateIndex(List.of("hi"), new float[][] {{1f}}, NDManager.newBaseManager()),
            List.of(),
            null);
  }

  @AfterAll
  static void free() {
    skill.candidates().close();
  }

  private static Conversation conversation(String id) {
    return new Conversation(id, skill, List.of(), "websocket", -1, "\n", null);
  }

  private static List<Conversation.Exchange> exchange(String user, String bot) {
    return List.of(
        new Conversation.Exchange(
            user, new Reply("c", "base", bot, List.of(bot), new float[] {1f}, true)));
  }

  @Test
  void aLoneSurrogateIsEscapedAndDoesNotPoisonLaterRecords(@TempDir Path tmp) throws IOException {
    String bad = "bad \ud800 x";
    Path file;
    try (ConversationLog log = ConversationLog.open(JSON, tmp, Map.of())) {
      file = log.file();
      log.append(conversation("one"), 0, exchange(bad, "ok"), Instant.now(), Instant.now());
      log.append(
          conversation("two"),
          0,
          exchange("fine \ud83d\ude00 and caf\u00e9", "sure"),
          Instant.now(),
          Instant.now());
      assertThat(log.episodes()).isEqualTo(2);
    } // closing does not throw either
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).contains("bad \\ud800 x");
    JsonNode first = JSON.readTree(lines.get(0));
    assertThat(first.at("/dialog/0/0/text").asText())
        .as("the escape decodes to what the client sent")
        .isEqualTo(bad);
    JsonNode second = JSON.readTree(lines.get(1));
    assertThat(second.get("conversation_id").asText()).isEqualTo("two");
    assertThat(second.at("/dialog/0/0/text").asText()).isEqualTo("fine \ud83d\ude00 and caf\u00e9");
    assertThat(lines.get(1)).as("other non-ASCII text stays readable").contains("caf\u00e9");
  }

  /**
   * A record is one write() call, so kill -9 cannot tear it: counted with the calling thread's
   * write system calls ({@code syscw} in /proc/thread-self/io, Linux).
   */
  @Test
  void aRecordOver64KbIsOneLineWrittenInOneSystemCall(@TempDir Path tmp) throws IOException {
    Path io = Path.of("/proc/thread-self/io");
    assumeThat(Files.isReadable(io)).as("/proc/thread-self/io (Linux)").isTrue();
    String big = "word ".repeat(20_000); // 100,000 characters
    Path file;
    long calls;
    try (ConversationLog log = ConversationLog.open(JSON, tmp, Map.of())) {
      file = log.file();
      long before = writeCalls(io);
      log.append(conversation("big"), 0, exchange(big, "ok"), Instant.now(), Instant.now());
      calls = writeCalls(io) - before;
    }
    assertThat(calls).as("write system calls for one 100 KB record").isEqualTo(1);
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0).length()).isGreaterThan(64 * 1024);
    assertThat(JSON.readTree(lines.get(0)).at("/dialog/0/0/text").asText()).isEqualTo(big);
  }

  private static long writeCalls(Path io) throws IOException {
    for (String line : Files.readAllLines(io)) {
      if (line.startsWith("syscw:")) {
        return Long.parseLong(line.substring(6).strip());
      }
    }
    throw new AssertionError("no syscw line in " + io);
  }
}
