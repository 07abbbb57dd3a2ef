package io.adahit.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.agents.backbone.Backbone;
import io.adahit.proto.v1.ActRequest;
import io.adahit.proto.v1.ActResponse;
import io.adahit.proto.v1.ChatRequest;
import io.adahit.proto.v1.ChatResponse;
import io.adahit.proto.v1.DialogueServiceGrpc;
import io.adahit.proto.v1.Message;
import io.adahit.server.skills.LoadProgress;
import io.adahit.server.web.ChatClient;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conversation table cannot be filled by cheap calls: a finished or refused conversation holds
 * no slot, one transport holds at most its share, idle conversations expire on every transport, and
 * /health says when new conversations are refused. A server with 4 slots, 2 per transport; the
 * expiry test runs its own server whose conversations expire after 1 idle second.
 */
class ConversationLimitsTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  private static DialogueServer server;
  private static ManagedChannel channel;
  private static DialogueServiceGrpc.DialogueServiceBlockingStub stub;
  private static HttpClient http;

  @BeforeAll
  static void start() throws Exception {
    try (Backbone b = Backbone.loadDefault()) {
      TestSkills.write(tmp.resolve("skills"), b);
    }
    server =
        new DialogueServer(
            TestSkills.config(
                tmp, Map.of("conversations.maxOpen", "4", "conversations.transportShare", "0.5")),
            new Random(3));
    server.start(LoadProgress.NONE);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    stub = DialogueServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.MINUTES);
    http = HttpClient.newHttpClient();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  /** Each test leaves an empty table. */
  @AfterEach
  void emptyTable() throws InterruptedException {
    server.chat().closeIdle(Duration.ZERO);
    awaitOpen(server, 0);
  }

  private static void awaitOpen(DialogueServer s, int n) throws InterruptedException {
    for (int i = 0; i < 1200 && s.chat().openCount() != n; i++) {
      Thread.sleep(50);
    }
    assertThat(s.chat().openCount()).as("open conversations").isEqualTo(n);
  }

  private static ActResponse act(String id, String text) {
    return stub.act(
        ActRequest.newBuilder()
            .setConversationId(id)
            .setMessage(Message.newBuilder().setText(text))
            .build());
  }

  private static JsonNode health() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/health"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  @Test
  void actsThatFinishAtOnceHoldNoSlot() throws Exception {
    for (int i = 0;
        i < 12;
        i++) { // three times the table: the old server refused from the fifth on
      ActResponse r = act("done-" + i + "-" + UUID.randomUUID(), "[DONE]");
      assertThat(r.getMessage().getEpisodeDone()).isTrue();
    }
    assertThat(server.chat().openCount()).isZero();
    // a conversation that had turns is closed by [DONE] too (its episode logged first)
    String id = "chat-" + UUID.randomUUID();
    act(id, "hi! do you have pets?");
    assertThat(server.chat().openCount()).isEqualTo(1);
    assertThat(act(id, "[DONE]").getMessage().getEpisodeDone()).isTrue();
    assertThat(server.chat().openCount()).isZero();
  }

  @Test
  void anActRefusedForItsTextOpensNothing() {
    for (int i = 0; i < 6; i++) {
      assertThatThrownBy(() -> act("bad-" + UUID.randomUUID(), " "))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
      assertThatThrownBy(() -> act("long-" + UUID.randomUUID(), "x".repeat(5000)))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getDescription()).contains("at most 4096"));
    }
    assertThat(server.chat().openCount()).isZero();
  }

  @Test
  void oneTransportHoldsAtMostItsShareAndHealthSaysWhatIsRefused() throws Exception {
    assertThat(health().get("accepting_conversations").asBoolean()).isTrue();
    act("a-" + UUID.randomUUID(), "hello there");
    act("b-" + UUID.randomUUID(), "hello again");
    assertThatThrownBy(() -> act("c-" + UUID.randomUUID(), "one too many"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
              assertThat(e.getStatus().getDescription())
                  .contains("grpc-act")
                  .contains("conversations.transportShare");
            });
    JsonNode h = health();
    assertThat(h.get("ready").asBoolean()).isTrue();
    assertThat(h.get("accepting_conversations").asBoolean()).isFalse();
    assertThat(h.get("refusing").asText()).contains("grpc-act");
    assertThat(h.get("conversations_by_transport").get("grpc-act").asInt()).isEqualTo(2);

    // the other transports still get in, up to the table's size
    try (ChatClient a =
            ChatClient.connect(http, "ws://127.0.0.1:" + server.httpPort() + "/websocket", WAIT);
        ChatClient b =
            ChatClient.connect(http, "ws://127.0.0.1:" + server.httpPort() + "/websocket", WAIT);
        ChatClient c =
            ChatClient.connect(http, "ws://127.0.0.1:" + server.httpPort() + "/websocket", WAIT)) {
      for (ChatClient ws : new ChatClient[] {a, b}) {
        ws.ask("hi", WAIT);
        assertThat(ws.ask("begin", WAIT).get("payload").has("conversation_id")).isTrue();
      }
      c.ask("hi", WAIT);
      JsonNode refused = c.ask("begin", WAIT);
      assertThat(refused.get("payload").get("error").asText()).isEqualTo("too_many_conversations");
      assertThat(refused.get("text").asText()).contains("conversations.maxOpen");
      assertThat(health().get("refusing").asText())
          .contains("4 open")
          .contains("conversations.maxOpen is 4");
    }
  }

  @Test
  void idleConversationsExpireOnEveryTransportAndTheirConnectionsAreTold() throws Exception {
    try (DialogueServer idle =
        new DialogueServer(
            TestSkills.config(
                tmp,
                Map.of(
                    "conversations.idleTimeoutSeconds",
                    "1",
                    "logs.dir",
                    tmp.resolve("logs-idle").toString(),
                    "events.url",
                    "jdbc:sqlite:" + tmp.resolve("events-idle.db"))),
            new Random(4))) {
      idle.start(LoadProgress.NONE);
      ManagedChannel ch =
          NettyChannelBuilder.forAddress("127.0.0.1", idle.grpcPort()).usePlaintext().build();
      try {
        idleConversationsExpire(idle, ch);
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      assertThat(java.nio.file.Files.readString(idle.conversationLog().file()))
          .as("the expired episodes are logged")
          .contains("hello, anyone there?");
    }
  }

  private static void idleConversationsExpire(DialogueServer idle, ManagedChannel ch)
      throws Exception {
    String actId = "idle-" + UUID.randomUUID();
    DialogueServiceGrpc.newBlockingStub(ch)
        .act(
            ActRequest.newBuilder()
                .setConversationId(actId)
                .setMessage(Message.newBuilder().setText("hello, anyone there?"))
                .build());
    CompletableFuture<Throwable> streamEnd = new CompletableFuture<>();
    StreamObserver<ChatRequest> up =
        DialogueServiceGrpc.newStub(ch)
            .chat(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ChatResponse value) {}

                  @Override
                  public void onError(Throwable t) {
                    streamEnd.complete(t);
                  }

                  @Override
                  public void onCompleted() {
                    streamEnd.complete(null);
                  }
                });
    up.onNext(ChatRequest.newBuilder().setMessage(Message.newBuilder().setText("hi")).build());
    try (ChatClient ws =
        ChatClient.connect(http, "ws://127.0.0.1:" + idle.httpPort() + "/websocket", WAIT)) {
      ws.ask("hi", WAIT);
      ws.ask("begin", WAIT);
      // nobody says anything for a second: every one of them is closed and logged
      assertThat(ws.closeCode(WAIT)).as("the WebSocket is told it is going away").isEqualTo(1001);
      assertThat(ws.closeReason()).contains("idle");
      Throwable end = streamEnd.get(60, TimeUnit.SECONDS);
      assertThat(Status.fromThrowable(end).getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
      assertThat(Status.fromThrowable(end).getDescription())
          .contains("conversations.idleTimeoutSeconds");
      awaitOpen(idle, 0);
      assertThat(idle.chat().find(actId)).isEmpty();
    }
  }
}
