package io.adahit.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.agents.backbone.Backbone;
import io.adahit.server.chat.ChatService;
import io.adahit.server.chat.Conversation;
import io.adahit.server.chat.Reply;
import io.adahit.server.inference.ShuttingDownException;
import io.adahit.server.skills.LoadProgress;
import io.adahit.server.web.ChatClient;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shutdown answers what was asked, logs the open episodes and refuses new work. */
class GracefulShutdownTest {

  @Test
  void closingTheServerLogsOpenEpisodesAndTurnsHealthDown(@TempDir Path tmp) throws Exception {
    try (Backbone b = Backbone.loadDefault()) {
      TestSkills.write(tmp.resolve("skills"), b);
    }
    DialogueServer server =
        new DialogueServer(TestSkills.config(tmp, Map.of("grpc.enabled", "false")), new Random(1));
    server.start(LoadProgress.NONE);
    ChatService chat = server.chat();
    Conversation open = chat.open("ada", "websocket");
    Reply r1 = chat.turn(open, "hi, are you there?", false).get(60, TimeUnit.SECONDS);
    var pending =
        chat.turn(open, "what is your favourite food?", false); // may still be queued at close
    Path log = server.conversationLog().file();

    server.close();

    assertThat(pending.get(60, TimeUnit.SECONDS).text())
        .as("an accepted turn is answered")
        .isNotEmpty();
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
    DialogueServer server =
        new DialogueServer(TestSkills.config(tmp, Map.of("grpc.enabled", "false")), new Random(1));
    server.start(LoadProgress.NONE);
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean finished = new AtomicBoolean();
    // like a replace encoding a pool: native work that does not stop when interrupted
    server
        .adminExecutor()
        .submit(
            () -> {
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

    assertThat(finished)
        .as("the admin work ended before close() freed the skills and the model")
        .isTrue();
  }

  private static DialogueServer start(Path tmp, Map<String, String> extra) throws Exception {
    try (Backbone b = Backbone.loadDefault()) {
      TestSkills.write(tmp.resolve("skills"), b);
    }
    DialogueServer server = new DialogueServer(TestSkills.config(tmp, extra), new Random(1));
    server.start(LoadProgress.NONE);
    return server;
  }

  /**
   * Issue 19 finding 6: turns queued behind another turn of their conversation are accepted turns
   * too; they used to fail with shutting_down (68 of 100 answered).
   */
  @Test
  void everyAcceptedTurnIsAnsweredChainedOnesIncluded(@TempDir Path tmp) throws Exception {
    DialogueServer server =
        start(tmp, Map.of("grpc.enabled", "false", "shutdown.graceSeconds", "60"));
    ChatService chat = server.chat();
    List<CompletableFuture<Reply>> turns = new ArrayList<>();
    List<Conversation> conversations = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Conversation c = chat.open(i % 2 == 0 ? "ada" : "base", "websocket");
      conversations.add(c);
      for (String text :
          List.of("hi there, how are you?", "do you have any pets?", "what do you do for fun?")) {
        turns.add(chat.turn(c, text, false)); // chained: each waits for the one before it
      }
    }

    server.close();

    for (CompletableFuture<Reply> t : turns) {
      assertThat(t).as("closing returned after every accepted turn was answered").isDone();
      assertThat(t.get().text()).isNotEmpty();
    }
    assertThat(chat.turn(conversations.get(0), "still there?", false))
        .as("a turn after the shutdown began is refused")
        .failsWithin(Duration.ofSeconds(1))
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(ShuttingDownException.class);
    List<String> lines =
        Files.readAllLines(server.conversationLog().file(), StandardCharsets.UTF_8);
    assertThat(lines)
        .as("one episode per conversation, each with its 3 exchanges")
        .hasSize(8)
        .allSatisfy(l -> assertThat(new ObjectMapper().readTree(l).get("dialog")).hasSize(3));
  }

  /**
   * Issue 19 finding 6: with a long Rank holding the inference thread, the process used to exit
   * 44.6 s after SIGTERM with a 20 s grace (drain 20 s, then 2 + 2 s, then 20 s more for the
   * executors). Now the whole shutdown ends within shutdown.graceSeconds: the chat turn behind the
   * Rank is answered between the Rank's pieces, the running and the queued Rank are refused with
   * "shutting down", and the parts after the drain are still closed.
   */
  @Test
  void shutdownEndsWithinTheGraceEvenWhileALongRankRuns(@TempDir Path tmp) throws Exception {
    DialogueServer server = start(tmp, Map.of("shutdown.graceSeconds", "2"));
    ChatService chat = server.chat();
    Conversation c = chat.open("base", "grpc-act");
    chat.turn(c, "hello, are you there?", false)
        .get(60, TimeUnit.SECONDS); // warmed up; an episode to log
    String words =
        " the quick brown fox jumps over the lazy dog while the band plays on in the park";
    List<String> candidates =
        IntStream.range(0, 1500).mapToObj(i -> "candidate " + i + words + words).toList();
    CompletableFuture<?> rank =
        chat.scheduler().rank(chat.skills().resolve("base"), "do you like music?", candidates);
    CompletableFuture<?> queuedRank =
        chat.scheduler().rank(chat.skills().resolve("base"), "and dogs?", candidates);
    for (int i = 0; i < 200 && chat.scheduler().queueDepth() > 1; i++) {
      Thread.sleep(10); // until the first Rank runs
    }
    Thread.sleep(200);
    assertThat(rank).as("the Rank is still running").isNotDone();
    CompletableFuture<Reply> stuck = chat.turn(c, "what music do you like?", false);
    Path log = server.conversationLog().file();

    long t0 = System.nanoTime();
    server.close();
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertThat(millis).as("shutdown time with a 2 s grace").isLessThan(2_400);
    assertThat(queuedRank).as("a queued Rank is refused at once").isCompletedExceptionally();
    assertThat(rank)
        .as("the running Rank is stopped between its pieces")
        .failsWithin(Duration.ofSeconds(1))
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(ShuttingDownException.class);
    assertThat(stuck)
        .as("a chat turn accepted behind the Rank is answered between its pieces")
        .succeedsWithin(Duration.ofSeconds(1));
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    assertThat(lines).as("the open episode was still logged").hasSize(1);
    assertThat(lines.get(0)).contains("what music do you like?");
    assertThat(chat.openCount()).isZero();
  }

  /**
   * Issue 19 finding 1: a lone UTF-16 surrogate in a WebSocket turn used to break the log for good
   * (every later append threw MalformedInputException) and made the shutdown throw before the
   * sockets got 1001 and the event store was closed.
   */
  @Test
  void aLoneSurrogateNeitherStopsLoggingNorBreaksTheShutdown(@TempDir Path tmp) throws Exception {
    DialogueServer server = start(tmp, Map.of("grpc.enabled", "false"));
    HttpClient http = HttpClient.newHttpClient();
    String url = "ws://127.0.0.1:" + server.httpPort() + "/websocket";
    Duration wait = Duration.ofSeconds(60);
    Path log = server.conversationLog().file();
    try (ChatClient first = ChatClient.connect(http, url, wait);
        ChatClient second = ChatClient.connect(http, url, wait)) {
      first.ask("hello", wait);
      first.ask("begin", wait);
      first.sendRaw("{\"text\": \"bad \\ud800 x\"}");
      assertThat(first.next(wait).get("text").asText()).isNotEmpty();
      first.ask("[DONE]", wait);
      second.ask("hello", wait);
      second.ask("begin", wait);
      assertThat(second.ask("i like dogs", wait).get("text").asText()).isNotEmpty();

      server.close();

      assertThat(second.closeCode(wait))
          .as("the open socket is told the server goes away")
          .isEqualTo(1001);
    }
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    assertThat(lines).as("the bad episode and the one open at shutdown").hasSize(2);
    JsonNode bad = new ObjectMapper().readTree(lines.get(0));
    assertThat(bad.at("/dialog/0/0/text").asText()).isEqualTo("bad \ud800 x");
    assertThat(new ObjectMapper().readTree(lines.get(1)).at("/dialog/0/0/text").asText())
        .isEqualTo("i like dogs");
  }
}
