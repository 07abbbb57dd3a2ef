package io.adahit.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.agents.backbone.Backbone;
import io.adahit.server.chat.ChatService;
import io.adahit.server.chat.Conversation;
import io.adahit.server.chat.Reply;
import io.adahit.server.skills.LoadProgress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shutdown answers what was asked, logs the open episodes and refuses new work. */
class GracefulShutdownTest {

  @Test
  void closingTheServerLogsOpenEpisodesAndTurnsHealthDown(@TempDir Path tmp) throws Exception {
    try (Backbone b = Backbone.loadDefault()) {
      TestSkills.write(tmp.resolve("skills"), b);
    }
    DialogueServer server = new DialogueServer(TestSkills.config(tmp, Map.of("grpc.enabled", "false")), new Random(1));
    server.start(LoadProgress.NONE);
    ChatService chat = server.chat();
    Conversation open = chat.open("ada", "websocket");
    Reply r1 = chat.turn(open, "hi, are you there?", false).get(60, TimeUnit.SECONDS);
    var pending = chat.turn(open, "what is your favourite food?", false); // may still be queued at close
    Path log = server.conversationLog().file();

    server.close();

    assertThat(pending.get(60, TimeUnit.SECONDS).text()).as("an accepted turn is answered").isNotEmpty();
    assertThat(server.state().phase()).isEqualTo(ServerState.Phase.STOPPING);
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(1);
    JsonNode episode = new ObjectMapper().readTree(lines.get(0));
    assertThat(episode.get("skill").asText()).isEqualTo("ada");
    assertThat(episode.get("dialog")).hasSize(2);
    assertThat(episode.at("/dialog/0/1/text").asText()).isEqualTo(r1.text());
    assertThat(chat.openCount()).isZero();
  }

  @Test
  void closingWaitsForAdminWorkBeforeFreeingTheModel(@TempDir Path tmp) throws Exception {
    try (Backbone b = Backbone.loadDefault()) {
      TestSkills.write(tmp.resolve("skills"), b);
    }
    DialogueServer server = new DialogueServer(TestSkills.config(tmp, Map.of("grpc.enabled", "false")), new Random(1));
    server.start(LoadProgress.NONE);
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean finished = new AtomicBoolean();
    // like a replace encoding a pool: native work that does not stop when interrupted
    server.adminExecutor().submit(() -> {
      started.countDown();
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
      while (System.nanoTime() < end) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException ignored) {
          // keeps going, as an encode does
        }
      }
      server.adapters().catalog().get("ada").candidates().texts();
      finished.set(true);
    });
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

    server.close();

    assertThat(finished).as("the admin work ended before close() freed the skills and the model").isTrue();
  }
}
