package io.adahit.server.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.adahit.agents.backbone.Backbone;
import io.adahit.proto.v1.ActRequest;
import io.adahit.proto.v1.ActResponse;
import io.adahit.proto.v1.AdminServiceGrpc;
import io.adahit.proto.v1.DialogueServiceGrpc;
import io.adahit.proto.v1.FeedbackRequest;
import io.adahit.proto.v1.FeedbackResponse;
import io.adahit.proto.v1.ListAdaptersRequest;
import io.adahit.proto.v1.Message;
import io.adahit.proto.v1.ReportRequest;
import io.adahit.proto.v1.ReportResponse;
import io.adahit.proto.v1.Thumbs;
import io.adahit.server.AbFixtures;
import io.adahit.server.DialogueServer;
import io.adahit.server.TestSkills;
import io.adahit.server.experiments.Experiment;
import io.adahit.server.skills.LoadProgress;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A/B tests through the real server: an experiment on skill 'ada' (variant a: the skill as served,
 * b: the adapter in skills/ada2), WebSocket and gRPC clients, the admin API over HTTP and gRPC, the
 * event store (SQLite), the conversation log and /metrics.
 */
class AbServerTest {

  static final String TOKEN = "test-admin-token-0123456789";
  static final Experiment EXPERIMENT =
      new Experiment(
          "ada-ab",
          "ada",
          List.of(
              new Experiment.Variant("a", null, 1.0), new Experiment.Variant("b", "ada2", 1.0)));

  @TempDir static Path tmp;
  private static Backbone reference;
  private static DialogueServer server;
  private static ManagedChannel channel;
  private static DialogueServiceGrpc.DialogueServiceBlockingStub chat;
  private static HttpClient http;

  @BeforeAll
  static void start() throws Exception {
    reference = Backbone.loadDefault();
    AbFixtures.write(TestSkills.write(tmp.resolve("skills"), reference), reference);
    Path yaml = tmp.resolve("ab.yaml");
    Files.writeString(
        yaml,
        """
        admin:
          token: %s
          retireGraceSeconds: 0
        experiments:
          - name: ada-ab
            skill: ada
            variants:
              - {name: a}
              - {name: b, adapter: ada2}
        """
            .formatted(TOKEN));
    server =
        new DialogueServer(
            TestSkills.config(tmp, yaml, Map.of("batching.maxWaitMillis", "30")), new Random(5));
    server.start(LoadProgress.NONE);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    chat = DialogueServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.MINUTES);
    http = HttpClient.newHttpClient();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
    reference.close();
  }

  /** A fresh conversation id that the experiment assigns to {@code variant}. */
  static String idFor(String variant) {
    while (true) {
      String id = UUID.randomUUID().toString();
      if (EXPERIMENT.assign(id).name().equals(variant)) {
        return id;
      }
    }
  }

  static ActResponse act(String id, String text) {
    return chat.act(
        ActRequest.newBuilder()
            .setConversationId(id)
            .setSkill("ada")
            .setMessage(Message.newBuilder().setText(text))
            .build());
  }

  private static HttpResponse<String> admin(String method, String path, String body, String token)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theVariantIsInEveryReplyAndTheLogAndFeedbackRoundTripsIntoTheReport() throws Exception {
    Set<String> seen = new HashSet<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 12 && seen.size() < 2; i++) {
      try (WsClient ws =
          new WsClient(http, "ws://127.0.0.1:" + server.httpPort() + "/websocket?skill=ada")) {
        ws.ask("hello");
        JsonNode welcome = ws.ask("begin");
        String id = welcome.get("payload").get("conversation_id").asText();
        String variant = welcome.get("payload").get("variant").asText();
        assertThat(welcome.get("payload").get("experiment").asText()).isEqualTo("ada-ab");
        assertThat(variant)
            .as("sticky: the hash of id and experiment")
            .isEqualTo(EXPERIMENT.assign(id).name());
        JsonNode reply = ws.ask("hi! do you like to cook?");
        assertThat(reply.get("payload").get("variant").asText()).isEqualTo(variant);
        assertThat(reply.get("payload").get("skill").asText()).isEqualTo("ada");
        ws.ask("i love pasta.");
        JsonNode rated = ws.exchange(Map.of("feedback", Map.of("thumbs", "up", "turn", 2)));
        assertThat(rated.get("payload").get("feedback").asText()).isEqualTo("recorded");
        assertThat(rated.get("payload").get("variant").asText()).isEqualTo(variant);
        JsonNode done = ws.ask("[DONE]");
        assertThat(done.get("payload").get("variant").asText()).isEqualTo(variant);
        JsonNode after =
            ws.exchange(Map.of("feedback", Map.of("rating", variant.equals("a") ? 2 : 5)));
        assertThat(after.get("payload").get("conversation_id").asText())
            .as("rates the chat just ended")
            .isEqualTo(id);
        JsonNode bad = ws.exchange(Map.of("feedback", Map.of("rating", 9)));
        assertThat(bad.get("payload").get("error").asText()).isEqualTo("bad_feedback");
        assertThat(bad.get("text").asText()).contains("rating\" must be an integer 1-5, found 9");
        seen.add(variant);
        ids.add(id);
      }
    }
    assertThat(seen).containsExactlyInAnyOrder("a", "b");

    // the conversation log carries the variant
    String log = Files.readString(server.conversationLog().file());
    for (String id : ids) {
      assertThat(log).contains("\"conversation_id\":\"" + id + "\"");
    }
    assertThat(log)
        .contains("\"experiment\":\"ada-ab\",\"variant\":\"a\"")
        .contains("\"variant\":\"b\"");

    // gRPC: Act reports the variant; Feedback is acknowledged with it, also after the conversation
    // is gone
    String gid = idFor("b");
    ActResponse r = act(gid, "what is your favourite food?");
    assertThat(r.getExperiment()).isEqualTo("ada-ab");
    assertThat(r.getVariant()).isEqualTo("b");
    FeedbackResponse fr =
        chat.feedback(
            FeedbackRequest.newBuilder()
                .setConversationId(gid)
                .setRating(5)
                .setThumbsVote(Thumbs.THUMBS_UP)
                .build()); // the enum field (the report below counts it as up)
    assertThat(fr.getVariant()).isEqualTo("b");
    assertThat(server.events().queries().feedbackIds()).contains(fr.getFeedbackId());
    assertThatThrownBy(
            () ->
                chat.feedback(
                    FeedbackRequest.newBuilder()
                        .setConversationId("never-seen")
                        .setRating(3)
                        .build()))
        .isInstanceOf(StatusRuntimeException.class)
        .hasMessageContaining("NOT_FOUND");
    assertThatThrownBy(
            () ->
                chat.feedback(
                    FeedbackRequest.newBuilder()
                        .setConversationId(gid)
                        .setThumbs("sideways")
                        .build()))
        .hasMessageContaining("INVALID_ARGUMENT")
        .hasMessageContaining("\"up\" or \"down\"");
    assertThatThrownBy(
            () ->
                chat.feedback(
                    FeedbackRequest.newBuilder()
                        .setConversationId(gid)
                        .setThumbs("up")
                        .setThumbsVote(Thumbs.THUMBS_DOWN)
                        .build()))
        .hasMessageContaining("INVALID_ARGUMENT")
        .hasMessageContaining("disagree");

    // the report over HTTP counts exactly what was sent
    HttpResponse<String> rep = admin("GET", "/admin/experiments/ada-ab/report", null, TOKEN);
    assertThat(rep.statusCode()).isEqualTo(200);
    JsonNode report = WsClient.JSON.readTree(rep.body());
    long wsA = ids.stream().filter(id -> EXPERIMENT.assign(id).name().equals("a")).count();
    long wsB = ids.size() - wsA;
    JsonNode a = report.get("variants").get(0);
    JsonNode b = report.get("variants").get(1);
    assertThat(a.get("variant").asText()).isEqualTo("a");
    assertThat(a.get("thumbs_up").asLong()).isEqualTo(wsA);
    assertThat(a.get("ratings").asLong()).isEqualTo(wsA);
    assertThat(a.get("mean_rating").asDouble()).isEqualTo(2.0);
    assertThat(b.get("thumbs_up").asLong()).isEqualTo(wsB + 1);
    assertThat(b.get("ratings").asLong()).isEqualTo(wsB + 1);
    assertThat(b.get("mean_rating").asDouble()).isEqualTo(5.0);
    assertThat(b.get("conversations").asLong()).isGreaterThanOrEqualTo(wsB + 1);
    assertThat(a.get("episodes").asLong()).isGreaterThanOrEqualTo(wsA);
    assertThat(a.get("mean_episode_length").asDouble()).isEqualTo(2.0);
    assertThat(report.get("comparisons").get(0).get("rating_diff").asDouble()).isEqualTo(3.0);

    // the same report over gRPC
    ReportResponse g =
        adminStub(TOKEN).report(ReportRequest.newBuilder().setExperiment("ada-ab").build());
    assertThat(g.getVariants(1).getThumbsUp()).isEqualTo(wsB + 1);
    assertThat(g.getComparisons(0).getRatingDiff()).isEqualTo(3.0);

    // per-variant meters
    String metrics =
        http.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.httpPort() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(metrics)
        .contains("adahit_ab_turns_total{experiment=\"ada-ab\",variant=\"b\"}")
        .contains("adahit_ab_thumbs_total{experiment=\"ada-ab\",thumbs=\"up\",variant=\"a\"}")
        .contains("adahit_ab_rating_count{experiment=\"ada-ab\",variant=\"b\"}")
        .contains("adahit_ab_episode_length_count{experiment=\"ada-ab\",variant=\"a\"}");
  }

  private static AdminServiceGrpc.AdminServiceBlockingStub adminStub(String token) {
    Metadata m = new Metadata();
    if (token != null) {
      m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    }
    return AdminServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m))
        .withDeadlineAfter(5, TimeUnit.MINUTES);
  }

  @Test
  void adminCallsWithoutTheTokenAreRefused() throws Exception {
    for (String token : new String[] {null, "wrong-token-wrong-token"}) {
      HttpResponse<String> r = admin("GET", "/admin/adapters", null, token);
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.body()).contains(token == null ? "without a token" : "admin token refused");
      assertThat(
              admin(
                      "POST",
                      "/admin/adapters/replace",
                      "{\"skill\":\"ada\",\"dir\":\"ada2\"}",
                      token)
                  .statusCode())
          .isEqualTo(401);
      assertThatThrownBy(
              () -> adminStub(token).listAdapters(ListAdaptersRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    }
    assertThat(server.adapters().catalog().get("ada").dir().getFileName().toString())
        .isEqualTo("ada");
    HttpResponse<String> ok = admin("GET", "/admin/adapters", null, TOKEN);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).contains("\"variant\" : \"b\"").contains("\"dir\" : \"ada2\"");
    assertThat(
            adminStub(TOKEN)
                .listAdapters(ListAdaptersRequest.getDefaultInstance())
                .getAdaptersCount())
        .isEqualTo(3);
  }

  @Test
  void badAdaptersAreRefusedThroughTheAdminApiAndTheOldKeepsServing() throws Exception {
    String before = server.adapters().catalog().get("base").toString();
    for (String dir :
        new String[] {"../outside-adapter", "escape", "corrupt", "otherbackbone", "hier_badbase"}) {
      HttpResponse<String> r =
          admin(
              "POST",
              "/admin/adapters/replace",
              "{\"skill\":\"ada\",\"dir\":\"" + dir + "\"}",
              TOKEN);
      assertThat(r.statusCode()).as(dir).isEqualTo(400);
      assertThat(r.body()).contains("refused");
    }
    assertThat(admin("POST", "/admin/adapters/unload", "{\"skill\":\"ada\"}", TOKEN).body())
        .contains("experiment 'ada-ab' runs on it");
    assertThat(admin("POST", "/admin/adapters/unload", "{\"skill\":\"nope\"}", TOKEN).statusCode())
        .isEqualTo(404);
    assertThat(server.adapters().catalog().get("base").toString()).isEqualTo(before);
    assertThat(act(idFor("a"), "still there?").getMessage().getText()).isIn(TestSkills.adaPool());
  }

  @Test
  void turnsOfBothVariantsInOneBatchEachRunOnTheirOwnAdapters() throws Exception {
    // alone (one turn per batch), each variant's answer to a context
    String context = null;
    String answerA = null;
    String answerB = null;
    for (String c :
        List.of(
            "i like to ski in the winter.",
            "my dog is called max.",
            "what do you do for work?",
            "i am a teacher.",
            "do you have any pets?")) {
      String x = act(idFor("a"), c).getMessage().getText();
      String y = act(idFor("b"), c).getMessage().getText();
      if (!x.equals(y)) {
        context = c;
        answerA = x;
        answerB = y;
        break;
      }
    }
    assertThat(context).as("the two adapters answer some context differently").isNotNull();
    // many at once: batches mix both variants of one skill
    ExecutorService pool = Executors.newFixedThreadPool(12);
    try {
      List<Future<String[]>> all = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        String v = i % 2 == 0 ? "a" : "b";
        String c = context;
        all.add(pool.submit(() -> new String[] {v, act(idFor(v), c).getMessage().getText()}));
      }
      for (Future<String[]> f : all) {
        String[] r = f.get(5, TimeUnit.MINUTES);
        assertThat(r[1]).as("variant " + r[0]).isEqualTo(r[0].equals("a") ? answerA : answerB);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void hotReplaceUnderConcurrentTrafficLosesNoTurn() throws Exception {
    int clients = 6;
    int turns = 12;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    AtomicInteger answered = new AtomicInteger();
    AtomicBoolean running = new AtomicBoolean(true);
    List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    try {
      List<Future<?>> all = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        String id = idFor("a"); // served by skill 'ada' as served: the adapter being replaced
        all.add(
            pool.submit(
                (Callable<Void>)
                    () -> {
                      for (int t = 0; t < turns; t++) {
                        try {
                          ActResponse r = act(id, "turn " + t + ": tell me about your day.");
                          assertThat(r.getMessage().getText()).isIn(TestSkills.adaPool());
                          answered.incrementAndGet();
                        } catch (RuntimeException | AssertionError e) {
                          errors.add(e.toString());
                        }
                      }
                      return null;
                    }));
      }
      int replaces = 0;
      List<String> dirs = List.of("ada2", "hier", "ada");
      while (!all.stream().allMatch(Future::isDone)) {
        HttpResponse<String> r =
            admin(
                "POST",
                "/admin/adapters/replace",
                "{\"skill\":\"ada\",\"dir\":\"" + dirs.get(replaces % dirs.size()) + "\"}",
                TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        replaces++;
      }
      for (Future<?> f : all) {
        f.get(5, TimeUnit.MINUTES);
      }
      assertThat(errors).as("failed turns").isEmpty();
      assertThat(answered.get()).isEqualTo(clients * turns);
      assertThat(replaces).as("replaces during the traffic").isGreaterThanOrEqualTo(2);
    } finally {
      running.set(false);
      pool.shutdownNow();
    }
    for (int i = 0; i < 200 && server.adapters().leases().retiring() > 0; i++) {
      Thread.sleep(50);
    }
    assertThat(server.adapters().leases().retiring())
        .as("every replaced adapter freed after its turns")
        .isZero();
    admin("POST", "/admin/adapters/replace", "{\"skill\":\"ada\",\"dir\":\"ada\"}", TOKEN);
  }
}
