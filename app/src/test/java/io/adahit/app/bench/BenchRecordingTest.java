package io.adahit.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the load clients record: acknowledgements, /health answers, error kinds of replies. */
class BenchRecordingTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void everyAcknowledgementIsOneJsonLineOnDiskAsSoonAsItIsRecorded() throws Exception {
    Path file = tmp.resolve("acks.jsonl");
    try (AckLog acks = AckLog.open(file)) {
      acks.episode("c-1", 3);
      acks.feedback("c-1", "f-9", "rating");
      // flushed per record: another reader sees both lines while the log is still open
      assertThat(Files.readAllLines(file, StandardCharsets.UTF_8)).hasSize(2);
      acks.assignment("c-2", "rel", "b");
      assertThat(acks.counts()).isEqualTo(Map.of("episode", 1, "feedback", 1, "assignment", 1));
    }
    try (AckLog again = AckLog.open(file)) { // appends, never truncates
      again.episode("c-3", 1);
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(4);
    JsonNode episode = JSON.readTree(lines.get(0));
    assertThat(episode.get("type").asText()).isEqualTo("episode");
    assertThat(episode.get("conversation_id").asText()).isEqualTo("c-1");
    assertThat(episode.get("turns").asInt()).isEqualTo(3);
    JsonNode feedback = JSON.readTree(lines.get(1));
    assertThat(feedback.get("feedback_id").asText()).isEqualTo("f-9");
    assertThat(feedback.get("kind").asText()).isEqualTo("rating");
    JsonNode assignment = JSON.readTree(lines.get(2));
    assertThat(assignment.get("experiment").asText()).isEqualTo("rel");
    assertThat(assignment.get("variant").asText()).isEqualTo("b");
    assertThat(JSON.readTree(lines.get(3)).get("conversation_id").asText()).isEqualTo("c-3");
  }

  @Test
  void healthTallyCountsReadinessRefusalsFailuresAndPeaks() {
    HealthPoller.Tally t = new HealthPoller.Tally();
    t.answered(
        200,
        "{\"ready\":true,\"accepting_conversations\":true,\"connections\":1270,\"open_conversations\":998}",
        4.2);
    t.answered(
        200,
        "{\"ready\":true,\"accepting_conversations\":false,\"refusing\":\"refusing new WebSocket chats: 256"
            + " connections open, http.maxConnections is 256\",\"connections\":256,\"open_conversations\":3}",
        12.5);
    t.answered(503, "{\"ready\":false,\"status\":\"starting\"}", 1.0);
    t.failed("ConnectException");
    t.failed("ConnectException");
    assertThat(t.consecutiveFailures()).isEqualTo(2);
    Map<String, Object> c = t.counts();
    assertThat(c)
        .containsEntry("polls", 5)
        .containsEntry("failed", 2)
        .containsEntry("ready", 2)
        .containsEntry("not_ready", 1)
        .containsEntry("accepting_conversations", 1)
        .containsEntry("refusing_conversations", 1)
        .containsEntry("slowest_ms", 12.5)
        .containsEntry("peak_connections", 1270)
        .containsEntry("peak_open_conversations", 998);
    assertThat(c.get("http_status")).isEqualTo(Map.of("200", 2, "503", 1));
    assertThat(c.get("failures")).isEqualTo(Map.of("ConnectException", 2));
    assertThat(c.get("refusing_reasons"))
        .isEqualTo(
            Map.of(
                "refusing new WebSocket chats: N connections open, http.maxConnections is N", 1));
    t.answered(200, "not json", 1.0);
    assertThat(t.consecutiveFailures()).isZero();
    assertThat(t.counts().get("failures"))
        .isEqualTo(Map.of("ConnectException", 2, "unparsable_body", 1));
  }

  @Test
  void aReplyIsAnAnswerARefusalByItsTagOrMissing() throws Exception {
    assertThat(LoadRun.errorKind(null)).isEqualTo("no_reply");
    assertThat(
            LoadRun.errorKind(
                JSON.readTree("{\"text\":\"Error: busy\",\"payload\":{\"error\":\"overloaded\"}}")))
        .isEqualTo("overloaded");
    assertThat(
            LoadRun.errorKind(
                JSON.readTree("{\"text\":\"i like dogs\",\"payload\":{\"skill\":\"bst\"}}")))
        .isNull();
  }

  @Test
  void latencyPercentilesAreNearestRank() {
    double[] sorted = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
    LoadRun.Result r = new LoadRun.Result(1, 10, 0, 1.0, sorted, 10, Map.of());
    assertThat(r.percentile(50)).isEqualTo(50.0); // rank ceil(0.5 * 10) = 5
    assertThat(r.percentile(99)).isEqualTo(100.0); // rank ceil(9.9) = 10
    assertThat(r.percentile(11)).isEqualTo(20.0); // rank ceil(1.1) = 2, no interpolation
    assertThat(new LoadRun.Result(1, 0, 0, 0, new double[0], 0, Map.of()).percentile(99)).isNaN();
  }
}
