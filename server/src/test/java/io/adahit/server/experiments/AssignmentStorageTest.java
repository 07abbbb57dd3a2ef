package io.adahit.server.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.adahit.agents.backbone.Backbone;
import io.adahit.proto.v1.ActRequest;
import io.adahit.proto.v1.ActResponse;
import io.adahit.proto.v1.DialogueServiceGrpc;
import io.adahit.proto.v1.FeedbackRequest;
import io.adahit.proto.v1.FeedbackResponse;
import io.adahit.proto.v1.Message;
import io.adahit.server.AbFixtures;
import io.adahit.server.DialogueServer;
import io.adahit.server.TestSkills;
import io.adahit.server.skills.LoadProgress;
import io.adahit.server.web.ChatClient;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An A/B assignment is never half stored: with the event store write-locked (another process holds
 * SQLite's write lock past the 5 s busy timeout) a new chat is served outside the experiment, says
 * so, and its feedback carries no variant (and, once it is closed, is refused); with the store only
 * slow, the chat is answered as part of the experiment once its assignment is stored, not before.
 */
class AssignmentStorageTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Experiment EXPERIMENT =
      new Experiment(
          "ada-ab",
          "ada",
          List.of(
              new Experiment.Variant("a", null, 1.0), new Experiment.Variant("b", "ada2", 1.0)));

  @TempDir static Path tmp;
  private static DialogueServer server;
  private static ManagedChannel channel;
  private static DialogueServiceGrpc.DialogueServiceBlockingStub stub;
  private static String dbUrl;

  @BeforeAll
  static void start() throws Exception {
    try (Backbone b = Backbone.loadDefault()) {
      AbFixtures.write(TestSkills.write(tmp.resolve("skills"), b), b);
    }
    Path yaml = tmp.resolve("ab.yaml");
    Files.writeString(
        yaml,
        """
        experiments:
          - name: ada-ab
            skill: ada
            variants:
              - {name: a}
              - {name: b, adapter: ada2}
        """);
    dbUrl = "jdbc:sqlite:" + tmp.resolve("events").resolve("events.db");
    server = new DialogueServer(TestSkills.config(tmp, yaml, Map.of()), new Random(5));
    server.start(LoadProgress.NONE);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    stub = DialogueServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.MINUTES);
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  /** Holds SQLite's write lock (as another process could) until closed. */
  private static Connection lockStore() throws Exception {
    Connection c = DriverManager.getConnection(dbUrl);
    try (Statement s = c.createStatement()) {
      s.execute("BEGIN EXCLUSIVE");
    }
    return c;
  }

  private static void release(Connection c) throws Exception {
    try (Statement s = c.createStatement()) {
      s.execute("COMMIT");
    }
    c.close();
  }

  private static CompletableFuture<ActResponse> actAsync(String id, String text) {
    return CompletableFuture.supplyAsync(
        () ->
            stub.act(
                ActRequest.newBuilder()
                    .setConversationId(id)
                    .setSkill("ada")
                    .setMessage(Message.newBuilder().setText(text))
                    .build()));
  }

  private static String idFor(String variant) {
    while (true) {
      String id = UUID.randomUUID().toString();
      if (EXPERIMENT.assign(id).name().equals(variant)) {
        return id;
      }
    }
  }

  private static List<String> feedbackVariant(String feedbackId) throws Exception {
    try (Connection c = DriverManager.getConnection(dbUrl);
        PreparedStatement s =
            c.prepareStatement("SELECT experiment, variant FROM ab_feedback WHERE event_id = ?")) {
      s.setString(1, feedbackId);
      try (ResultSet r = s.executeQuery()) {
        assertThat(r.next()).as("feedback " + feedbackId + " is stored").isTrue();
        return java.util.Arrays.asList(r.getString(1), r.getString(2));
      }
    }
  }

  @Test
  void aChatWhoseAssignmentCannotBeStoredIsServedOutsideTheExperimentAndSaysSo() throws Exception {
    String id = idFor("b");
    Connection lock = lockStore();
    JsonNode welcome;
    ActResponse act;
    try (ChatClient ws =
        ChatClient.connect(
            HttpClient.newHttpClient(),
            "ws://127.0.0.1:" + server.httpPort() + "/websocket?skill=ada",
            WAIT)) {
      CompletableFuture<ActResponse> pending = actAsync(id, "hi! do you like to cook?");
      ws.ask("hi", WAIT);
      welcome =
          ws.ask(
              "begin",
              WAIT); // waits out the busy timeout, then the chat goes on outside the experiment
      act = pending.get(60, TimeUnit.SECONDS);
      release(lock);
      lock = null;
      String wsId = welcome.get("payload").get("conversation_id").asText();
      assertThat(welcome.get("payload").has("variant"))
          .as("the welcome names no variant")
          .isFalse();
      assertThat(server.events().queries().assignments(wsId)).isEmpty();
      JsonNode reply = ws.ask("i love pasta.", WAIT);
      assertThat(reply.get("text").asText()).isIn(TestSkills.adaPool()); // the skill as served
      assertThat(reply.get("payload").has("variant")).isFalse();
    } finally {
      if (lock != null) {
        release(lock);
      }
    }
    assertThat(act.getExperiment()).as("the Act reply names no experiment").isEmpty();
    assertThat(act.getVariant()).isEmpty();
    assertThat(act.getMessage().getText()).isIn(TestSkills.adaPool());
    assertThat(server.events().queries().assignments(id)).as("no assignment on record").isEmpty();

    // feedback while it is open is stored without a variant: consistent with the missing assignment
    FeedbackResponse fr =
        stub.feedback(FeedbackRequest.newBuilder().setConversationId(id).setRating(5).build());
    assertThat(fr.getVariant()).isEmpty();
    assertThat(feedbackVariant(fr.getFeedbackId())).containsExactly(null, null);
    // once it is closed there is nothing to attribute feedback to: refused, as for any chat outside
    // an experiment
    stub.act(
        ActRequest.newBuilder()
            .setConversationId(id)
            .setMessage(Message.newBuilder().setText("[DONE]"))
            .build());
    assertThatThrownBy(
            () ->
                stub.feedback(
                    FeedbackRequest.newBuilder().setConversationId(id).setRating(4).build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
  }

  @Test
  void aChatWhoseAssignmentIsSlowToStoreIsAnsweredInTheExperimentOnlyOnceItIsStored()
      throws Exception {
    String id = idFor("b");
    Connection lock = lockStore();
    CompletableFuture<ActResponse> pending;
    try {
      pending = actAsync(id, "what is your favourite food?");
      Thread.sleep(1500); // well inside the 5 s busy timeout
      assertThat(pending).as("not answered while its assignment waits for the store").isNotDone();
    } finally {
      release(lock);
    }
    ActResponse r = pending.get(60, TimeUnit.SECONDS);
    assertThat(r.getExperiment()).isEqualTo("ada-ab");
    assertThat(r.getVariant()).isEqualTo("b");
    assertThat(server.events().queries().assignments(id))
        .extracting(a -> a.variant())
        .containsExactly("b");
    FeedbackResponse fr =
        stub.feedback(FeedbackRequest.newBuilder().setConversationId(id).setThumbs("up").build());
    assertThat(fr.getVariant()).isEqualTo("b");
    assertThat(feedbackVariant(fr.getFeedbackId())).containsExactly("ada-ab", "b");
  }
}
