package io.adahit.eval.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adahit.agents.ranker.Ranker;
import io.adahit.agents.ranker.RankerOptions;
import io.adahit.agents.ranker.TextEncoder;
import io.adahit.eval.harness.CandidateMode;
import io.adahit.eval.harness.EvalExample;
import io.adahit.eval.harness.Evaluator;
import io.adahit.eval.metrics.Report;
import io.adahit.eval.teachers.Example;
import io.adahit.proto.v1.DialogueServiceGrpc;
import io.adahit.proto.v1.ListSkillsRequest;
import io.adahit.proto.v1.ListSkillsResponse;
import io.adahit.proto.v1.RankRequest;
import io.adahit.proto.v1.RankResponse;
import io.adahit.proto.v1.SkillInfo;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client side of {@code eval_model --server} against a scripted DialogueService on a real
 * socket: candidates are scored by their length, so the expected numbers are known; the service can
 * be slow, overloaded or refuse a skill.
 */
class RemoteScorerTest {

  /** Scores each candidate by its length; counts calls in flight; fails as told. */
  static final class ScriptedService extends DialogueServiceGrpc.DialogueServiceImplBase {
    final ScheduledExecutorService timer = Executors.newScheduledThreadPool(4);
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger overloadedLeft = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    volatile int capacity = Integer.MAX_VALUE; // calls it takes at once; more are overloaded
    volatile Status failWith;
    volatile long delayMillis = 20;

    @Override
    public void listSkills(ListSkillsRequest request, StreamObserver<ListSkillsResponse> out) {
      out.onNext(
          ListSkillsResponse.newBuilder()
              .setDefaultSkill("base")
              .addSkills(SkillInfo.newBuilder().setName("base").setKind("none"))
              .addSkills(
                  SkillInfo.newBuilder()
                      .setName("convai2")
                      .setKind("bottleneck")
                      .setParameterCount(1234))
              .addSkills(
                  SkillInfo.newBuilder()
                      .setName("auto")
                      .setKind("router")
                      .addRoutesTo("convai2")) // not base
              .build());
      out.onCompleted();
    }

    @Override
    public void rank(RankRequest request, StreamObserver<RankResponse> out) {
      calls.incrementAndGet();
      if (overloadedLeft.getAndDecrement() > 0) {
        refused.incrementAndGet();
        out.onError(
            Status.RESOURCE_EXHAUSTED.withDescription("server overloaded").asRuntimeException());
        return;
      }
      if (failWith != null) {
        out.onError(failWith.asRuntimeException());
        return;
      }
      int now = inFlight.incrementAndGet();
      if (now > capacity) {
        inFlight.decrementAndGet();
        refused.incrementAndGet();
        out.onError(
            Status.RESOURCE_EXHAUSTED.withDescription("server overloaded").asRuntimeException());
        return;
      }
      maxInFlight.accumulateAndGet(now, Math::max);
      timer.schedule(
          () -> {
            RankResponse.Builder b =
                RankResponse.newBuilder()
                    .setSkill(request.getSkill().equals("auto") ? "convai2" : request.getSkill());
            request.getCandidatesList().forEach(c -> b.addScores(c.length()));
            inFlight.decrementAndGet();
            out.onNext(b.build());
            out.onCompleted();
          },
          delayMillis,
          TimeUnit.MILLISECONDS);
    }
  }

  private ScriptedService service;
  private Server server;
  private String target;

  @BeforeEach
  void start() throws IOException {
    service = new ScriptedService();
    server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(service)
            .build()
            .start();
    target = "127.0.0.1:" + server.getPort();
  }

  @AfterEach
  void stop() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    service.timer.shutdownNow();
  }

  /** n examples whose gold is the i-th longest... of four candidates, so ranks vary. */
  private static List<EvalExample> examples(int n) {
    List<EvalExample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<String> cands = List.of("a", "bb bb", "ccc", "d".repeat(1 + i % 7));
      String gold = cands.get(i % cands.size());
      out.add(
          new EvalExample(
              "fake valid episode " + i + " example 0",
              i,
              new Example("fake", "turn " + i, List.of(gold), cands, true, Map.of()),
              "turn " + i));
    }
    return out;
  }

  /** The same scores in process: contexts embed as [1], candidates as [length]. */
  private static final TextEncoder LENGTHS =
      (texts, opts) ->
          texts.stream()
              .map(
                  t ->
                      new float[] {
                        opts.maxLength() == RankerOptions.defaults().context().maxLength()
                            ? 1
                            : t.length()
                      })
              .toArray(float[][]::new);

  @Test
  void ranksEveryExampleAsInProcessWithAtMostTheAllowedCallsInFlight() throws Exception {
    List<EvalExample> ex = examples(40);
    try (RemoteModel m = RemoteModel.connect(target, "convai2", 3, Duration.ofSeconds(30))) {
      Report remote =
          new Evaluator(m.scorer(null, null), 3, false)
              .evaluate(ex, CandidateMode.INLINE, List.of(), n -> {}, null);
      Report local =
          new Evaluator(new Ranker(LENGTHS, RankerOptions.defaults()), 3, false)
              .evaluate(ex, CandidateMode.INLINE, List.of(), n -> {}, null);
      assertThat(remote.toMap()).isEqualTo(local.toMap());
      assertThat(remote.average("hits@1").getAsDouble()).isBetween(0.01, 0.99);
      assertThat(service.maxInFlight.get()).as("calls in flight").isBetween(2, 3);
      assertThat(m.describe())
          .containsEntry("server", target)
          .containsEntry("skill", "convai2")
          .containsEntry("server_skill_kind", "bottleneck")
          .containsEntry("server_max_in_flight", 3);
      assertThat(m.checksContamination()).isFalse();
    }
  }

  @Test
  void noSkillMeansTheServersDefaultAndARouterReportsWhereItRouted() throws Exception {
    try (RemoteModel m = RemoteModel.connect(target, null, 2, Duration.ofSeconds(30))) {
      assertThat(m.describe()).containsEntry("skill", "base");
      assertThat(m.scorer(null, null).routerSkills()).isEmpty();
    }
    try (RemoteModel auto = RemoteModel.connect(target, "auto", 2, Duration.ofSeconds(30))) {
      Evaluator.Result r =
          new Evaluator(auto.scorer(null, null), 2, false)
              .run(examples(5), CandidateMode.INLINE, List.of(), n -> {}, null);
      assertThat(r.routing().skills()).as("the router's routes_to").containsExactly("convai2");
      assertThat(r.routing().routed()).containsEntry("convai2", 5L).doesNotContainKey("base");
    }
  }

  @Test
  void anOverloadedServerIsRetriedWithBackOff() throws Exception {
    service.overloadedLeft.set(3);
    List<EvalExample> ex = examples(6);
    try (RemoteModel m = RemoteModel.connect(target, "convai2", 1, Duration.ofSeconds(30))) {
      Report r =
          new Evaluator(m.scorer(null, null), 1, false)
              .evaluate(ex, CandidateMode.INLINE, List.of(), n -> {}, null);
      assertThat(r.exs()).isEqualTo(6);
      assertThat(service.calls.get()).isEqualTo(6 + 3);
    }
    service.overloadedLeft.set(1000);
    try (RemoteModel m = RemoteModel.connect(target, "convai2", 1, Duration.ofSeconds(2))) {
      assertThatThrownBy(
              () ->
                  m.scorer(null, null)
                      .score(
                          ex.subList(0, 1),
                          List.of(ex.get(0).example().labelCandidates()),
                          n -> {}))
          .isInstanceOf(IOException.class)
          .hasMessageContaining(
              "stayed overloaded (RESOURCE_EXHAUSTED: server overloaded) for the call's deadline"
                  + " of 2 s (--server-deadline) with 1 Rank calls in flight");
    }
  }

  @Test
  void moreCallsInFlightThanTheServerTakesSettleAtWhatItTakes() throws Exception {
    service.capacity = 2;
    service.delayMillis = 30;
    List<EvalExample> ex = examples(60);
    try (RemoteModel m = RemoteModel.connect(target, "convai2", 12, Duration.ofSeconds(30))) {
      RemoteScorer scorer = m.scorer(null, null);
      Report remote =
          new Evaluator(scorer, 12, false)
              .evaluate(ex, CandidateMode.INLINE, List.of(), n -> {}, null);
      Report local =
          new Evaluator(new Ranker(LENGTHS, RankerOptions.defaults()), 12, false)
              .evaluate(ex, CandidateMode.INLINE, List.of(), n -> {}, null);
      assertThat(remote.toMap()).isEqualTo(local.toMap());
      // the 12 first calls: 2 taken, 10 refused, each refusal one call fewer in flight (one more
      // may slip in if an early call finishes before the last of the 12 is sent)
      assertThat(scorer.inFlightLimit()).isBetween(2, 4);
    }
    assertThat(service.maxInFlight.get()).isEqualTo(2);
    assertThat(service.refused.get()).isGreaterThanOrEqualTo(8);
  }

  @Test
  void anUnknownSkillIsRefusedWithTheServersSkills() throws Exception {
    assertThatThrownBy(() -> RemoteModel.connect(target, "nope", 2, Duration.ofSeconds(30)))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "server "
                + target
                + " has no skill 'nope'; its skills: [base (default), convai2, auto (router)]"
                + " (--skill names a skill of the server, not of a local skills folder)");
    // the server forgets the skill between ListSkills and Rank: NOT_FOUND is explained the same way
    service.failWith = Status.NOT_FOUND.withDescription("unknown skill 'convai2'");
    try (RemoteModel m = RemoteModel.connect(target, "convai2", 2, Duration.ofSeconds(30))) {
      List<EvalExample> ex = examples(3);
      assertThatThrownBy(
              () ->
                  new Evaluator(m.scorer(null, null), 2, false)
                      .evaluate(ex, CandidateMode.INLINE, List.of(), n -> {}, null))
          .isInstanceOf(IOException.class)
          .hasMessage(
              "server "
                  + target
                  + " does not know skill 'convai2' (NOT_FOUND: unknown skill 'convai2');"
                  + " its skills: [base (default), convai2, auto (router)]");
    }
  }

  @Test
  void aSlowCallNamesTheExampleAndTheDeadlineFlag() throws Exception {
    service.delayMillis = 3000;
    try (RemoteModel m = RemoteModel.connect(target, "convai2", 2, Duration.ofMillis(1500))) {
      List<EvalExample> ex = examples(2);
      assertThatThrownBy(
              () ->
                  new Evaluator(m.scorer(null, null), 2, false)
                      .evaluate(ex, CandidateMode.INLINE, List.of(), n -> {}, null))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("the Rank call for example 'fake valid episode ")
          .hasMessageContaining("took longer than the deadline of 1 s (--server-deadline)");
    }
  }

  @Test
  void anUnreachableServerOrABadAddressIsSaidPlainly() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    assertThatThrownBy(
            () -> RemoteModel.connect("127.0.0.1:" + port, "convai2", 2, Duration.ofSeconds(5)))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("server 127.0.0.1:" + port + " unreachable (UNAVAILABLE: ")
        .hasMessageContaining("is `adahit serve` running there");
    assertThatThrownBy(() -> RemoteModel.connect("localhost", "convai2", 2, Duration.ofSeconds(5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "--server must be HOST:PORT (the server's gRPC port, e.g. 127.0.0.1:50051), found 'localhost'");
    assertThatThrownBy(() -> RemoteModel.connect("host:70000", "convai2", 2, Duration.ofSeconds(5)))
        .hasMessageContaining("found 'host:70000'");
  }
}
