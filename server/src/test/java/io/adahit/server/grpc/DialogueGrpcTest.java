package io.adahit.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.ranker.Ranker;
import io.adahit.agents.ranker.RankerOptions;
import io.adahit.agents.ranker.Ranking;
import io.adahit.agents.ranker.TextEncoder;
import io.adahit.proto.v1.ActRequest;
import io.adahit.proto.v1.ActResponse;
import io.adahit.proto.v1.ChatRequest;
import io.adahit.proto.v1.ChatResponse;
import io.adahit.proto.v1.DialogueServiceGrpc;
import io.adahit.proto.v1.ListSkillsRequest;
import io.adahit.proto.v1.ListSkillsResponse;
import io.adahit.proto.v1.Message;
import io.adahit.proto.v1.RankRequest;
import io.adahit.proto.v1.RankResponse;
import io.adahit.proto.v1.SkillInfo;
import io.adahit.proto.v1.SkillKind;
import io.adahit.server.DialogueServer;
import io.adahit.server.TestSkills;
import io.adahit.server.skills.LoadProgress;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DialogueService, health and reflection through a real gRPC stub over a real socket. */
class DialogueGrpcTest {

  @TempDir static Path tmp;
  private static DialogueServer server;
  private static ManagedChannel channel;
  private static DialogueServiceGrpc.DialogueServiceBlockingStub stub;
  private static Backbone reference;

  @BeforeAll
  static void start() throws Exception {
    reference = Backbone.loadDefault();
    TestSkills.write(tmp.resolve("skills"), reference);
    server = new DialogueServer(TestSkills.config(tmp, Map.of()), new Random(7));
    server.start(LoadProgress.NONE);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    stub = DialogueServiceGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.MINUTES);
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
    reference.close();
  }

  @Test
  void listSkillsDescribesEveryServableSkill() {
    ListSkillsResponse r = stub.listSkills(ListSkillsRequest.getDefaultInstance());
    assertThat(r.getDefaultSkill()).isEqualTo("base");
    assertThat(r.getSkillsList()).extracting(SkillInfo::getName).containsExactly("ada", "base");
    SkillInfo ada = r.getSkills(0);
    assertThat(ada.getKind()).isEqualTo("bottleneck");
    assertThat(ada.getKindEnum()).isEqualTo(SkillKind.SKILL_KIND_BOTTLENECK);
    assertThat(ada.getParameterCount()).isEqualTo(2L * 6 * (2 * 384 * 64 + 384 + 64));
    assertThat(ada.getCandidateCount()).isEqualTo(TestSkills.POOL);
    SkillInfo base = r.getSkills(1);
    assertThat(base.getKind()).isEqualTo("none");
    assertThat(base.getKindEnum()).isEqualTo(SkillKind.SKILL_KIND_NONE);
    assertThat(base.getPersonaCount()).isEqualTo(20);
    // the lengths Rank and Act use: neither records training lengths, so the harness defaults
    assertThat(
            List.of(
                ada.getTextTruncate(),
                ada.getLabelTruncate(),
                base.getTextTruncate(),
                base.getLabelTruncate()))
        .containsExactly(256, 128, 256, 128);
  }

  @Test
  void actKeepsAConversationAcrossCallsWithRankedCandidates() throws Exception {
    ActResponse first =
        stub.act(
            ActRequest.newBuilder()
                .setMessage(Message.newBuilder().setText("hi! what do you do for fun?"))
                .build());
    String id = first.getConversationId();
    assertThat(id).isNotEmpty();
    assertThat(first.getSkill()).isEqualTo("base");
    assertThat(first.getPersonaList()).isNotEmpty();
    Message m = first.getMessage();
    assertThat(m.getText()).isIn(TestSkills.basePool()).isEqualTo(m.getTextCandidates(0));
    assertThat(m.getTextCandidatesCount()).isEqualTo(100);
    assertThat(m.getCandidateScoresCount()).isEqualTo(100);
    for (int i = 1; i < m.getCandidateScoresCount(); i++) {
      assertThat(m.getCandidateScores(i)).isLessThanOrEqualTo(m.getCandidateScores(i - 1));
    }

    ActResponse second =
        stub.act(
            ActRequest.newBuilder()
                .setConversationId(id)
                .setSkill("ada")
                .setMessage(Message.newBuilder().setText("that sounds nice."))
                .build());
    assertThat(second.getSkill()).as("the skill is fixed once bound").isEqualTo("base");
    assertThat(second.getMessage().getText()).isNotEqualTo(m.getText());

    ActResponse reset =
        stub.act(
            ActRequest.newBuilder()
                .setConversationId(id)
                .setMessage(Message.newBuilder().setText("[RESET]"))
                .build());
    assertThat(reset.getMessage().getText()).isEqualTo("[History Cleared]");

    ActResponse last =
        stub.act(
            ActRequest.newBuilder()
                .setConversationId(id)
                .setMessage(Message.newBuilder().setText("bye!").setEpisodeDone(true))
                .build());
    assertThat(last.getMessage().getEpisodeDone()).isTrue();
    assertThat(last.getMessage().getText()).isIn(TestSkills.basePool());
  }

  @Test
  void aNewClientChosenIdOpensAConversationOnTheRequestedSkill() throws Exception {
    ActResponse r =
        stub.act(
            ActRequest.newBuilder()
                .setConversationId("client-chosen-1")
                .setSkill("ada")
                .setMessage(Message.newBuilder().setText("do you like cooking?"))
                .build());
    assertThat(r.getConversationId()).isEqualTo("client-chosen-1");
    assertThat(r.getSkill()).isEqualTo("ada");
    assertThat(r.getMessage().getText()).isIn(TestSkills.adaPool());
    assertThat(r.getPersonaList()).isEmpty();
  }

  @Test
  void userMistakesMapToStatusCodesNotInternal() {
    assertThatThrownBy(
            () ->
                stub.act(
                    ActRequest.newBuilder()
                        .setSkill("nope")
                        .setMessage(Message.newBuilder().setText("hi"))
                        .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
              assertThat(e.getStatus().getDescription())
                  .contains("unknown skill 'nope'")
                  .contains("[ada, base]");
            });
    assertThatThrownBy(
            () ->
                stub.act(
                    ActRequest.newBuilder().setMessage(Message.newBuilder().setText(" ")).build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    assertThatThrownBy(() -> stub.rank(RankRequest.newBuilder().setContext("hi").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).contains("candidates must not be empty");
            });
    assertThatThrownBy(
            () ->
                stub.rank(
                    RankRequest.newBuilder()
                        .setContext("hi")
                        .addCandidates("a")
                        .setSkill("bts")
                        .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
  }

  /**
   * Issue 19 finding 8: a deadline is normal; it used to log an ERROR with a stack trace per call.
   */
  @Test
  void callsCancelledByTheirDeadlineAreCountedNotLoggedAsErrors() throws Exception {
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    double counted;
    try {
      for (int i = 0; i < 3; i++) {
        int call = i; // candidates new to the server each call: its candidate cache cannot help
        RankRequest slow =
            RankRequest.newBuilder()
                .setContext("do you have pets?")
                .addAllCandidates(
                    IntStream.range(0, 300)
                        .mapToObj(c -> "candidate " + c + " of call " + call + " likes dogs")
                        .toList())
                .build();
        assertThatThrownBy(() -> stub.withDeadlineAfter(200, TimeUnit.MILLISECONDS).rank(slow))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
      }
      counted = 0;
      for (int i = 0;
          i < 600 && counted < 3;
          i++) { // the server notices the expiry on its own threads
        Thread.sleep(50);
        var c =
            server
                .registry()
                .find("adahit.grpc.cancelled")
                .tags("method", "Rank", "reason", "deadline")
                .counter();
        counted = c == null ? 0 : c.count();
      }
      stub.listSkills(ListSkillsRequest.getDefaultInstance()); // still serving
    } finally {
      System.setErr(saved);
    }
    var other =
        server
            .registry()
            .find("adahit.grpc.cancelled")
            .tags("method", "Rank", "reason", "cancelled")
            .counter();
    assertThat(counted)
        .as(
            "cancelled Rank calls counted with reason deadline (reason cancelled: %s)",
            other == null ? 0 : other.count())
        .isEqualTo(3);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .as("server log while the calls expired")
        .doesNotContain("ERROR")
        .doesNotContain("CancellationException");
  }

  @Test
  void rankScoresExactlyAsTheInProcessRanker() {
    String context = "your persona: i love dogs.\nhi! do you have pets?";
    List<String> cands =
        List.of("yes , i have two dogs .", "i work at a bank .", "hello !", "i hate the rain .");
    RankResponse r =
        stub.rank(RankRequest.newBuilder().setContext(context).addAllCandidates(cands).build());
    Ranking expected =
        new Ranker(TextEncoder.of(reference), RankerOptions.defaults()).rank(context, cands);
    assertThat(r.getSkill()).isEqualTo("base");
    assertThat(r.getRankingList())
        .containsExactly(
            expected.order()[0], expected.order()[1], expected.order()[2], expected.order()[3]);
    for (int i = 0; i < cands.size(); i++) {
      assertThat(r.getScores(i))
          .isCloseTo(expected.scores()[i], org.assertj.core.data.Offset.offset(1e-5f));
    }
    RankResponse ada =
        stub.rank(
            RankRequest.newBuilder()
                .setContext(context)
                .addAllCandidates(cands)
                .setSkill("ada")
                .build());
    assertThat(ada.getSkill()).isEqualTo("ada");
    assertThat(ada.getScores(0))
        .as("the adapter changes the scores")
        .isNotCloseTo(r.getScores(0), org.assertj.core.data.Offset.offset(1e-3f));
  }

  @Test
  void rankCallsBeyondTheLimitsAreRefusedNamingTheLimit() {
    List<String> many = java.util.Collections.nCopies(5001, "hi");
    assertThatThrownBy(
            () ->
                stub.rank(RankRequest.newBuilder().setContext("hi").addAllCandidates(many).build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .contains("5001 candidates")
                  .contains("rank.maxCandidates (5000)");
            });
    String huge = "word ".repeat(20_000); // 100,000 characters
    assertThatThrownBy(
            () -> stub.rank(RankRequest.newBuilder().setContext(huge).addCandidates("a").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .contains("100000 characters")
                  .contains("rank.maxContextChars (65536)");
            });
    List<String> wordy = java.util.Collections.nCopies(2000, "x".repeat(600));
    assertThatThrownBy(
            () ->
                stub.rank(
                    RankRequest.newBuilder().setContext("hi").addAllCandidates(wordy).build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .contains("1200000 characters")
                  .contains("rank.maxCandidateChars (1000000)");
            });
  }

  @Test
  void aRankPastItsDeadlineIsDroppedAtItsNextPiece() throws Exception {
    List<String> cands = new java.util.ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      cands.add("candidate reply number " + i + " about dogs and music");
    }
    double before = counter("adahit.rank.abandoned");
    assertThatThrownBy(
            () ->
                DialogueServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                    .rank(
                        RankRequest.newBuilder()
                            .setContext("hi there")
                            .addAllCandidates(cands)
                            .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    for (int i = 0; i < 600 && counter("adahit.rank.abandoned") == before; i++) {
      Thread.sleep(100);
    }
    assertThat(counter("adahit.rank.abandoned")).as("the call was dropped").isEqualTo(before + 1);
    double pieces = counter("adahit.rank.pieces");
    // the server is free again: a chat turn is answered, and the dropped call encodes nothing more
    stub.act(
        ActRequest.newBuilder()
            .setMessage(Message.newBuilder().setText("are you still there?"))
            .build());
    assertThat(counter("adahit.rank.pieces")).isEqualTo(pieces);
  }

  private static double counter(String name) {
    io.micrometer.core.instrument.Counter c = server.registry().find(name).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void chatStreamIsAWholeConversation() throws Exception {
    BlockingQueue<Object> got = new LinkedBlockingQueue<>();
    StreamObserver<ChatRequest> up = DialogueServiceGrpc.newStub(channel).chat(collector(got));
    up.onNext(ChatRequest.newBuilder().setSkill("ada").build());
    ChatResponse opened = (ChatResponse) poll(got);
    assertThat(opened.getSkill()).isEqualTo("ada");
    assertThat(opened.getConversationId()).isNotEmpty();
    assertThat(opened.getMessage().getText()).isEmpty();

    up.onNext(turn("hi there, how was your day?"));
    up.onNext(turn("mine was busy at work.")); // two in flight: answered in order
    ChatResponse a = (ChatResponse) poll(got);
    ChatResponse b = (ChatResponse) poll(got);
    assertThat(a.getMessage().getText()).isIn(TestSkills.adaPool());
    assertThat(b.getMessage().getText())
        .isIn(TestSkills.adaPool())
        .isNotEqualTo(a.getMessage().getText());
    assertThat(a.getConversationId()).isEqualTo(opened.getConversationId());

    up.onNext(turn("[RESET]"));
    assertThat(((ChatResponse) poll(got)).getMessage().getText()).isEqualTo("[History Cleared]");
    up.onNext(turn("[DONE]"));
    assertThat(((ChatResponse) poll(got)).getMessage().getEpisodeDone()).isTrue();
    up.onCompleted();
    assertThat(poll(got)).isEqualTo("completed");
  }

  @Test
  void chatStreamOnAnUnknownSkillEndsWithNotFound() throws Exception {
    BlockingQueue<Object> got = new LinkedBlockingQueue<>();
    StreamObserver<ChatRequest> up = DialogueServiceGrpc.newStub(channel).chat(collector(got));
    up.onNext(
        ChatRequest.newBuilder()
            .setSkill("nope")
            .setMessage(Message.newBuilder().setText("hi"))
            .build());
    Object end = poll(got);
    assertThat(end).isInstanceOf(StatusRuntimeException.class);
    assertThat(((StatusRuntimeException) end).getStatus().getCode())
        .isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void healthSaysServingAndReflectionListsTheService() throws Exception {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    assertThat(
            health
                .check(
                    HealthCheckRequest.newBuilder().setService("adahit.v1.DialogueService").build())
                .getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

    CompletableFuture<ServerReflectionResponse> reply = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> req =
        ServerReflectionGrpc.newStub(channel)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse v) {
                    reply.complete(v);
                  }

                  @Override
                  public void onError(Throwable t) {
                    reply.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    req.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
    ServerReflectionResponse r = reply.get(30, TimeUnit.SECONDS);
    req.onCompleted();
    assertThat(r.getListServicesResponse().getServiceList())
        .extracting(s -> s.getName())
        .contains("adahit.v1.DialogueService", "grpc.health.v1.Health");
  }

  private static ChatRequest turn(String text) {
    return ChatRequest.newBuilder().setMessage(Message.newBuilder().setText(text)).build();
  }

  private static Object poll(BlockingQueue<Object> q) throws InterruptedException {
    Object o = q.poll(60, TimeUnit.SECONDS);
    assertThat(o).as("a response within 60 s").isNotNull();
    return o;
  }

  private static StreamObserver<ChatResponse> collector(BlockingQueue<Object> q) {
    return new StreamObserver<>() {
      @Override
      public void onNext(ChatResponse v) {
        q.add(v);
      }

      @Override
      public void onError(Throwable t) {
        q.add(t);
      }

      @Override
      public void onCompleted() {
        q.add("completed");
      }
    };
  }
}
