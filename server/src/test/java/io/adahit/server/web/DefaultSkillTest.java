package io.adahit.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.adahit.agents.adapters.Provenance;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.routing.RouterTrainer;
import io.adahit.server.DialogueServer;
import io.adahit.server.TestSkills;
import io.adahit.server.config.ConfigLoader;
import io.adahit.server.skills.LoadProgress;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A newcomer's first chat: on the default config (no skill named anywhere) the server's default is
 * the router {@code auto}; the welcome says who answers and what it routes to; each routed reply
 * names the skill that answered; the other skills stay selectable.
 */
class DefaultSkillTest {

  @TempDir static Path tmp;
  private static DialogueServer server;

  @BeforeAll
  static void start() throws Exception {
    try (Backbone b = Backbone.loadDefault()) {
      Path skills = TestSkills.write(tmp.resolve("skills"), b);
      Map<String, List<String>> bySkill = new LinkedHashMap<>();
      bySkill.put(
          "base",
          List.of(
              "i have two dogs and a cat.",
              "my puppy chewed my shoes today.",
              "do you have any pets?",
              "my cat sleeps all day long.",
              "i walk my dog every morning."));
      bySkill.put(
          "ada",
          List.of(
              "what is the capital of france?",
              "how long is the nile river?",
              "which country has the most islands?",
              "tell me about the sahara desert.",
              "where is the amazon rainforest?"));
      new RouterTrainer(b, RouterTrainer.Options.defaults())
          .train("auto", bySkill, null)
          .save(skills.resolve("auto"), Provenance.pending());
    }
    Map<String, String> o = new LinkedHashMap<>(); // the shipped defaults, skills.default included
    o.put("http.port", "0");
    o.put("grpc.enabled", "false");
    o.put("skills.dir", tmp.resolve("skills").toString());
    o.put("skills.cacheDir", tmp.resolve("cache").toString());
    o.put("logs.dir", null);
    o.put("events.url", null);
    server = new DialogueServer(ConfigLoader.load(null, o), new Random(7));
    server.start(LoadProgress.NONE);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static WsClient connect() throws Exception {
    return new WsClient(
        HttpClient.newHttpClient(), "ws://127.0.0.1:" + server.httpPort() + "/websocket");
  }

  @Test
  void theFirstChatIsWithTheRouterAndTheWelcomeSaysWhatItRoutesTo() throws Exception {
    assertThat(server.chat().skills().defaultSkill()).isEqualTo("auto");
    try (WsClient c = connect()) {
      JsonNode overworld = c.ask("hello");
      assertThat(overworld.get("text").asText())
          .startsWith("Welcome to the overworld")
          .contains("\"begin\" to talk to skill 'auto' (routes each turn to base or ada)");
      assertThat(overworld.at("/payload/skill").asText()).isEqualTo("auto");

      JsonNode task = c.ask("begin");
      assertThat(task.get("text").asText())
          .startsWith(
              "Welcome to the AdaHIT chat. You are talking to skill 'auto' (routes each turn to base or ada)");
      assertThat(task.at("/payload/skill").asText()).isEqualTo("auto");

      JsonNode pets = c.ask("my dog loves to play fetch in the park.");
      assertThat(pets.at("/payload/router").asText()).isEqualTo("auto");
      assertThat(pets.at("/payload/skill").asText())
          .as("the routed reply names the skill that answered")
          .isEqualTo("base");
      assertThat(pets.get("text").asText()).isIn(TestSkills.basePool());
      JsonNode geo = c.ask("what is the tallest mountain in africa?");
      assertThat(geo.at("/payload/router").asText()).isEqualTo("auto");
      assertThat(geo.at("/payload/skill").asText()).isEqualTo("ada");
      assertThat(geo.get("text").asText()).isIn(TestSkills.adaPool());
      c.ask("[DONE]");

      JsonNode base = c.ask("base"); // another skill stays selectable by name
      assertThat(base.get("text").asText())
          .contains("You are talking to skill 'base' (the zero-shot backbone)");
      assertThat(base.at("/payload/skill").asText()).isEqualTo("base");
      JsonNode r = c.ask("hi! how are you today?");
      assertThat(r.at("/payload/skill").asText()).isEqualTo("base");
      assertThat(r.at("/payload/router").isMissingNode()).isTrue();
    }
  }
}
