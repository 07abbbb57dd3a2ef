package io.adahit.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.adahit.agents.backbone.Backbone;
import io.adahit.server.DialogueServer;
import io.adahit.server.TestSkills;
import io.adahit.server.skills.LoadProgress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ParlAI WebSocket protocol over a real socket against a real server with two skills. */
class WebSocketChatTest {

  @TempDir static Path tmp;
  private static DialogueServer server;
  private static HttpClient http;
  private static List<String> basePool;
  private static List<String> adaPool;

  @BeforeAll
  static void start() throws Exception {
    try (Backbone b = Backbone.loadDefault()) {
      TestSkills.write(tmp.resolve("skills"), b);
    }
    server =
        new DialogueServer(
            TestSkills.config(
                tmp,
                Map.of(
                    "http.maxConnections",
                    "3",
                    "http.maxFrameBytes",
                    "4096",
                    "grpc.enabled",
                    "false")),
            new Random(7));
    server.start(LoadProgress.NONE);
    http = HttpClient.newHttpClient();
    basePool = TestSkills.basePool();
    adaPool = TestSkills.adaPool();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static WsClient connect(String query) throws Exception {
    awaitNoConnections();
    return new WsClient(http, "ws://127.0.0.1:" + server.httpPort() + "/websocket" + query);
  }

  /** Connections of earlier tests close asynchronously; wait for the server to see them go. */
  private static void awaitNoConnections() throws InterruptedException {
    for (int i = 0;
        i < 200 && server.registry().get("adahit.websocket.connections").gauge().value() > 0;
        i++) {
      Thread.sleep(25);
    }
  }

  private static List<String> quickReplies(JsonNode m) {
    List<String> out = new ArrayList<>();
    m.get("quick_replies").forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void fullConversationFollowsParlaisOnboardingAndIsLogged() throws Exception {
    List<String> replies = new ArrayList<>();
    try (WsClient c = connect("")) {
      JsonNode welcome = c.ask("hello");
      assertThat(welcome.get("text").asText()).startsWith("Welcome to the overworld");
      assertThat(quickReplies(welcome)).containsExactly("begin", "ada", "base", "exit");

      JsonNode task = c.ask("BEGIN");
      assertThat(task.get("text").asText())
          .contains("[DONE]")
          .contains("[RESET]")
          .contains("The bot's persona:");
      assertThat(task.get("quick_replies").isNull()).isTrue();
      assertThat(task.at("/payload/skill").asText()).isEqualTo("base");
      assertThat(task.at("/payload/persona").size()).isPositive();

      for (String turn :
          List.of("hi! how are you today?", "do you have any pets?", "what do you do for work?")) {
        JsonNode r = c.ask(turn);
        assertThat(r.at("/payload/skill").asText()).isEqualTo("base");
        assertThat(r.get("text").asText()).isIn(basePool);
        replies.add(r.get("text").asText());
      }
      assertThat(new HashSet<>(replies))
          .as("repeat blocking: no reply twice in an episode")
          .hasSize(3);

      assertThat(c.ask("[RESET]").get("text").asText()).isEqualTo("[History Cleared]");
      assertThat(c.ask("i like to ski.").get("text").asText()).isIn(basePool);

      JsonNode done = c.ask("[DONE]");
      assertThat(done.at("/payload/episode_done").asBoolean()).isTrue();
      assertThat(quickReplies(done)).containsExactly("begin", "exit");
      assertThat(c.ask("EXIT").get("text").asText()).startsWith("Goodbye");
      assertThat(c.ask("anything").get("text").asText()).startsWith("Welcome to the overworld");
    }

    Path log = server.conversationLog().file();
    List<JsonNode> episodes = new ArrayList<>();
    for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
      JsonNode e = WsClient.JSON.readTree(line);
      if (e.at("/dialog/0/0/text").asText().equals("hi! how are you today?")
          || e.at("/dialog/0/0/text").asText().equals("i like to ski.")) {
        episodes.add(e);
      }
    }
    assertThat(episodes).hasSize(2);
    JsonNode first = episodes.get(0);
    assertThat(first.get("dialog")).hasSize(3);
    assertThat(first.at("/dialog/1/0/text").asText()).isEqualTo("do you have any pets?");
    assertThat(first.at("/dialog/0/1/text").asText()).isEqualTo(replies.get(0));
    assertThat(first.at("/dialog/2/1/episode_done").asBoolean()).isTrue();
    assertThat(first.at("/context/0/text").asText()).startsWith("your persona: ");
    assertThat(first.get("metadata_path").asText()).endsWith(".jsonl.metadata");
    assertThat(Path.of(first.get("metadata_path").asText())).exists();
    assertThat(episodes.get(1).get("dialog")).hasSize(1);
  }

  @Test
  void theSkillComesFromTheQueryThePayloadOrAQuickReply() throws Exception {
    try (WsClient q = connect("?skill=ada")) {
      assertThat(q.ask("hi").at("/payload/skill").asText()).isEqualTo("ada");
      assertThat(q.ask("begin").at("/payload/skill").asText()).isEqualTo("ada");
      JsonNode r = q.ask("what do you like to eat?");
      assertThat(r.at("/payload/skill").asText()).isEqualTo("ada");
      assertThat(r.get("text").asText()).isIn(adaPool);
    }
    try (WsClient p = connect("")) {
      p.send(Map.of("text", "hi", "payload", Map.of("skill", "ada")));
      p.next();
      assertThat(p.ask("begin").at("/payload/skill").asText()).isEqualTo("ada");
    }
    try (WsClient k = connect("")) {
      k.ask("hi");
      assertThat(k.ask("ada").at("/payload/skill").asText()).isEqualTo("ada");
      JsonNode r = k.ask("tell me about your family");
      assertThat(r.get("text").asText()).isIn(adaPool);
    }
  }

  @Test
  void twoConcurrentConversationsOnDifferentSkillsAreAnsweredByTheirOwnSkills() throws Exception {
    try (WsClient a = connect("");
        WsClient b = connect("")) {
      a.ask("hi");
      b.ask("hi");
      a.ask("base");
      b.ask("ada");
      for (String turn :
          List.of("hello, how is it going?", "i work as a nurse.", "what music do you like?")) {
        a.say(turn); // both in flight before either reply is read
        b.say(turn);
        JsonNode ra = a.next();
        JsonNode rb = b.next();
        assertThat(ra.at("/payload/skill").asText()).isEqualTo("base");
        assertThat(ra.get("text").asText()).isIn(basePool);
        assertThat(rb.at("/payload/skill").asText()).isEqualTo("ada");
        assertThat(rb.get("text").asText()).isIn(adaPool);
      }
    }
  }

  @Test
  void badInputGetsAClearErrorAndTheConnectionKeepsServing() throws Exception {
    try (WsClient c = connect("")) {
      c.sendRaw("{not json");
      JsonNode bad = c.next();
      assertThat(bad.at("/payload/error").asText()).isEqualTo("bad_json");
      assertThat(bad.get("text").asText()).startsWith("Error: malformed JSON");

      c.sendRaw("[1, 2]");
      assertThat(c.next().get("text").asText()).contains("expected a JSON object");

      c.ask("hi");
      c.send(Map.of("payload", Map.of("skill", "nope")));
      JsonNode unknown = c.next();
      assertThat(unknown.at("/payload/error").asText()).isEqualTo("unknown_skill");
      assertThat(unknown.get("text").asText())
          .contains("unknown skill 'nope'")
          .contains("[ada, base]");

      c.ask("begin");
      c.send(Map.of("id", "x"));
      JsonNode missing = c.next();
      assertThat(missing.at("/payload/error").asText()).isEqualTo("missing_text");
      assertThat(missing.get("text").asText()).contains("no \"text\" field");

      c.send(Map.of("text", 42));
      assertThat(c.next().get("text").asText()).contains("\"text\" must be a string");

      assertThat(c.ask("   ").at("/payload/error").asText()).isEqualTo("missing_text");
      assertThat(c.ask("still there?").get("text").asText()).isIn(basePool);
    }
  }

  @Test
  void anUnknownSkillInTheUrlIsReportedWithTheWelcome() throws Exception {
    try (WsClient c = connect("?skill=nope")) {
      JsonNode m = c.ask("hi");
      assertThat(m.at("/payload/error").asText()).isEqualTo("unknown_skill");
      assertThat(m.get("text").asText())
          .contains("unknown skill 'nope'")
          .contains("Welcome to the overworld");
      assertThat(c.ask("begin").at("/payload/skill").asText()).isEqualTo("base");
    }
  }

  @Test
  void anOversizedFrameClosesWith1009AndTheServerKeepsServing() throws Exception {
    try (WsClient c = connect("")) {
      c.ask("hi");
      c.say("x".repeat(5000));
      assertThat(c.closeCode()).isEqualTo(1009);
    }
    try (WsClient again = connect("")) {
      assertThat(again.ask("hi").get("text").asText()).startsWith("Welcome");
    }
  }

  @Test
  void connectionsBeyondTheLimitAreToldSoAndClosedWith1013() throws Exception {
    List<WsClient> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        WsClient c = connect("");
        open.add(c);
        c.ask("hi"); // the server has counted it
      }
      try (WsClient extra =
          new WsClient(http, "ws://127.0.0.1:" + server.httpPort() + "/websocket")) {
        JsonNode m = extra.next();
        assertThat(m.at("/payload/error").asText()).isEqualTo("too_many_connections");
        assertThat(m.get("text").asText()).contains("at most 3");
        assertThat(extra.closeCode()).isEqualTo(1013);
      }
      assertThat(open.get(0).ask("begin").at("/payload/skill").asText()).isEqualTo("base");
    } finally {
      open.forEach(WsClient::close);
    }
    try (WsClient after = connect("")) {
      assertThat(after.ask("hi").get("text").asText()).startsWith("Welcome");
    }
  }

  @Test
  void httpServesHealthMetricsAndTheChatPage() throws Exception {
    String base = "http://127.0.0.1:" + server.httpPort();
    HttpResponse<String> health = get(base + "/health");
    assertThat(health.statusCode()).isEqualTo(200);
    JsonNode h = WsClient.JSON.readTree(health.body());
    assertThat(h.get("ready").asBoolean()).isTrue();
    assertThat(h.get("skills").toString()).isEqualTo("[\"ada\",\"base\"]");

    try (WsClient c = connect("")) {
      c.ask("hi");
      c.ask("begin");
      c.ask("hello!");
    }
    HttpResponse<String> metrics = get(base + "/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
    assertThat(metrics.body())
        .contains("adahit_turns_total{skill=\"base\",transport=\"websocket\"}")
        .contains("adahit_turn_latency_seconds_bucket")
        .contains("adahit_batch_size")
        .contains("adahit_queue_depth")
        .contains("adahit_conversations_open")
        .contains("jvm_memory_used_bytes");

    HttpResponse<String> page = get(base + "/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<title>AdaHIT chat</title>").contains("/websocket");
    assertThat(get(base + "/nope").statusCode()).isEqualTo(404);
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
