package io.adahit.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.agents.backbone.Backbone;
import io.adahit.server.DialogueServer;
import io.adahit.server.TestSkills;
import io.adahit.server.skills.LoadProgress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * While the server starts, /health says so (503) and how many candidate pools are done of how many.
 */
class StartupHealthTest {

  @Test
  void healthShowsThePoolsEncodedSoFarWhileStarting(@TempDir Path tmp) throws Exception {
    try (Backbone b = Backbone.loadDefault()) {
      TestSkills.write(tmp.resolve("skills"), b);
    }
    CountDownLatch secondPool = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    // holds the start at its second pool (skills load in name order: ada, then base)
    LoadProgress holding =
        (name, total) -> {
          if (name.equals("skill base")) {
            secondPool.countDown();
            try {
              release.await(2, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return LoadProgress.NONE.start(name, total);
        };
    HttpClient http = HttpClient.newHttpClient();
    ObjectMapper json = new ObjectMapper();
    try (DialogueServer server =
        new DialogueServer(
            TestSkills.config(tmp, Map.of("grpc.enabled", "false")), new Random(1))) {
      CompletableFuture<Void> started =
          CompletableFuture.runAsync(
              () -> {
                try {
                  server.start(holding);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      assertThat(secondPool.await(2, TimeUnit.MINUTES)).as("the second pool was reached").isTrue();
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + server.httpPort() + "/health"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(503);
      JsonNode h = json.readTree(r.body());
      assertThat(h.get("status").asText()).isEqualTo("starting");
      assertThat(h.at("/progress/stage").asText()).isEqualTo("encoding candidate pools");
      assertThat(h.at("/progress/pools_done").asInt()).isEqualTo(1);
      assertThat(h.at("/progress/pools_total").asInt()).isEqualTo(2);
      assertThat(h.at("/progress/candidates_done").asLong()).isEqualTo(TestSkills.POOL);
      assertThat(h.at("/progress/candidates_total").asLong()).isEqualTo(2L * TestSkills.POOL);
      assertThat(h.get("detail").asText()).isEqualTo("encoding candidate pools (1 of 2 pools)");
      release.countDown();
      started.get(2, TimeUnit.MINUTES);
      JsonNode ready =
          json.readTree(
              http.send(
                      HttpRequest.newBuilder(
                              URI.create("http://127.0.0.1:" + server.httpPort() + "/health"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      assertThat(ready.get("status").asText()).isEqualTo("ready");
      assertThat(ready.has("progress")).as("no progress once ready").isFalse();
    } finally {
      release.countDown();
    }
  }
}
