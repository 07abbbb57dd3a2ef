package io.adahit.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.backbone.Backbone;
import io.adahit.proto.v1.ActRequest;
import io.adahit.proto.v1.DialogueServiceGrpc;
import io.adahit.proto.v1.Message;
import io.adahit.proto.v1.RankRequest;
import io.adahit.proto.v1.RankResponse;
import io.adahit.server.grpc.GrpcErrors;
import io.adahit.server.skills.LoadProgress;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metrics and error conventions through a running server: /metrics follows the served skills as the
 * admin API loads, replaces and unloads them, and shows the process's memory and CPU;
 * RESOURCE_EXHAUSTED errors say which limit was hit in a google.rpc.ErrorInfo the client reads. One
 * server: 2 conversation slots (all of them for one transport), one Rank call running and one
 * waiting at most.
 */
class ObservabilityServerTest {

  private static final String TOKEN = "test-admin-token-0123456789";

  @TempDir static Path tmp;
  private static DialogueServer server;
  private static ManagedChannel channel;
  private static HttpClient http;
  private static String adaFingerprint;
  private static String ada2Fingerprint;

  @BeforeAll
  static void start() throws Exception {
    Path skills = tmp.resolve("skills");
    try (Backbone b = Backbone.loadDefault()) {
      AbFixtures.write(TestSkills.write(skills, b), b);
    }
    adaFingerprint = AdapterFiles.readManifest(skills.resolve("ada")).weightsFingerprint();
    ada2Fingerprint = AdapterFiles.readManifest(skills.resolve("ada2")).weightsFingerprint();
    Files.delete(skills.resolve("escape")); // the symlink fixture is not needed here
    Path yaml = tmp.resolve("server.yaml");
    Files.writeString(yaml, "admin:\n  token: " + TOKEN + "\n  retireGraceSeconds: 0\n");
    server =
        new DialogueServer(
            TestSkills.config(
                tmp,
                yaml,
                Map.of(
                    "conversations.maxOpen",
                    "2",
                    "conversations.transportShare",
                    "1.0",
                    "rank.queueCapacity",
                    "1",
                    "batching.workers",
                    "2",
                    "batching.maxWaitMillis",
                    "20")),
            new Random(7));
    server.start(LoadProgress.NONE);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    http = HttpClient.newHttpClient();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  private static DialogueServiceGrpc.DialogueServiceBlockingStub stub() {
    return DialogueServiceGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.MINUTES);
  }

  private static String metrics() throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static HttpResponse<String> admin(String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
            .header("Authorization", "Bearer " + TOKEN)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static List<String> skillInfo(String text, String skill) {
    Matcher m =
        Pattern.compile(
                "(?m)^adahit_skill_info\\{fingerprint=\"([^\"]*)\",kind=\"([^\"]*)\",skill=\""
                    + Pattern.quote(skill)
                    + "\"\\} 1$")
            .matcher(text);
    List<String> out = new ArrayList<>();
    while (m.find()) {
      out.add(m.group(2) + " " + m.group(1));
    }
    return out;
  }

  private static double value(String text, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
    assertThat(m.find()).as("series %s in /metrics", series).isTrue();
    return Double.parseDouble(m.group(1));
  }

  /** The ErrorInfo a client finds in the status details of {@code e}. */
  private static ErrorInfo errorInfo(Throwable e) throws InvalidProtocolBufferException {
    com.google.rpc.Status s = StatusProto.fromThrowable(e);
    assertThat(s).as("rich status of %s", e).isNotNull();
    assertThat(s.getDetailsCount()).isEqualTo(1);
    ErrorInfo info = s.getDetails(0).unpack(ErrorInfo.class);
    assertThat(info.getDomain()).isEqualTo(GrpcErrors.DOMAIN);
    return info;
  }

  @Test
  void skillInfoFollowsLoadReplaceAndUnload() throws Exception {
    String text = metrics();
    assertThat(skillInfo(text, "base")).containsExactly("none none");
    assertThat(skillInfo(text, "ada")).containsExactly("bottleneck " + adaFingerprint);
    assertThat(skillInfo(text, "ada3")).isEmpty();

    Path ada3 =
        Files.createDirectories(
            tmp.resolve("skills/ada3")); // a skill to load at run time: ada2's adapter
    for (String f : new String[] {AdapterFiles.CONFIG_FILE, AdapterFiles.WEIGHTS_FILE}) {
      Files.copy(tmp.resolve("skills/ada2").resolve(f), ada3.resolve(f));
    }
    Files.copy(tmp.resolve("skills/ada/candidates.txt"), ada3.resolve("candidates.txt"));
    HttpResponse<String> r =
        admin("/admin/adapters/replace", "{\"skill\":\"ada\",\"dir\":\"ada2\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    r = admin("/admin/adapters/load", "{\"skill\":\"ada3\",\"dir\":\"ada3\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    text = metrics();
    assertThat(skillInfo(text, "ada"))
        .as("the old fingerprint's series is gone")
        .containsExactly("bottleneck " + ada2Fingerprint);
    assertThat(skillInfo(text, "ada3")).containsExactly("bottleneck " + ada2Fingerprint);

    r = admin("/admin/adapters/unload", "{\"skill\":\"ada3\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(skillInfo(metrics(), "ada3")).isEmpty();
    assertThat(admin("/admin/adapters/replace", "{\"skill\":\"ada\",\"dir\":\"ada\"}").statusCode())
        .isEqualTo(200);
  }

  @Test
  void processMemoryCpuAndBuildAreExposedAndNoMaxGauges() throws Exception {
    String text = metrics();
    double rss = value(text, "process_resident_memory_bytes");
    double nativeBytes = value(text, "adahit_native_memory_bytes");
    assertThat(nativeBytes)
        .as("PyTorch and the model live outside the JVM's pools")
        .isGreaterThan(50e6)
        .isLessThan(rss);
    assertThat(value(text, "process_cpu_seconds_total")).isGreaterThan(0);
    assertThat(text)
        .contains("adahit_build_info{version=\"")
        .contains("adahit_errors_total{kind=\"too_many_conversations\"}");
    // the GC pause timer appears with the first collection after the server bound its metrics:
    // make sure there was one (its notification arrives on another thread, shortly after)
    System.gc();
    for (int i = 0; i < 50 && !text.contains("jvm_gc_pause_seconds_count"); i++) {
      Thread.sleep(100);
      text = metrics();
    }
    assertThat(text).contains("jvm_gc_pause_seconds_count").doesNotContain("_seconds_max");
  }

  @Test
  void tooManyConversationsAndAFullRankQueueAreToldApart() throws Exception {
    List<String> ids = List.of("a-" + UUID.randomUUID(), "b-" + UUID.randomUUID());
    for (String id : ids) {
      stub()
          .act(
              ActRequest.newBuilder()
                  .setConversationId(id)
                  .setMessage(Message.newBuilder().setText("hello"))
                  .build());
    }
    double refusedBefore = value(metrics(), "adahit_errors_total{kind=\"too_many_conversations\"}");
    assertThatThrownBy(
            () ->
                stub()
                    .act(
                        ActRequest.newBuilder()
                            .setConversationId("c-" + UUID.randomUUID())
                            .setMessage(Message.newBuilder().setText("one too many"))
                            .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
              try {
                ErrorInfo info = errorInfo(e);
                assertThat(info.getReason()).isEqualTo("TOO_MANY_CONVERSATIONS");
                assertThat(info.getMetadataMap()).containsEntry("kind", "overloaded");
              } catch (InvalidProtocolBufferException x) {
                throw new AssertionError(x);
              }
            });
    assertThat(value(metrics(), "adahit_errors_total{kind=\"too_many_conversations\"}"))
        .isEqualTo(refusedBefore + 1);
    for (String id : ids) {
      stub()
          .act(
              ActRequest.newBuilder()
                  .setConversationId(id)
                  .setMessage(Message.newBuilder().setText("[DONE]"))
                  .build());
    }

    // one Rank runs and one waits (rank.queueCapacity 1); long calls sent together leave the rest
    // refused
    List<String> candidates =
        IntStream.range(0, 3000).mapToObj(i -> "candidate reply number " + i).toList();
    Context.CancellableContext calls = Context.current().withCancellation();
    List<CompletableFuture<RankResponse>> results = new ArrayList<>();
    try {
      calls.run(
          () -> {
            DialogueServiceGrpc.DialogueServiceStub async = DialogueServiceGrpc.newStub(channel);
            for (int i = 0; i < 6; i++) {
              CompletableFuture<RankResponse> f = new CompletableFuture<>();
              results.add(f);
              async.rank(
                  RankRequest.newBuilder()
                      .setContext("hello " + i)
                      .addAllCandidates(candidates)
                      .build(),
                  new StreamObserver<>() {
                    @Override
                    public void onNext(RankResponse value) {
                      f.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                      f.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {}
                  });
            }
          });
      List<ErrorInfo> refused = new ArrayList<>();
      for (CompletableFuture<RankResponse> f : results.subList(0, 6)) {
        try {
          f.get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(StatusRuntimeException.class);
          assertThat(Status.fromThrowable(e.getCause()).getCode())
              .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
          refused.add(errorInfo(e.getCause()));
        } catch (java.util.concurrent.TimeoutException e) {
          // running or waiting: accepted
        }
      }
      assertThat(refused)
          .as("at most two running (one per inference loop) and one waiting")
          .hasSizeGreaterThanOrEqualTo(3);
      assertThat(refused).allSatisfy(i -> assertThat(i.getReason()).isEqualTo("QUEUE_FULL"));
    } finally {
      calls.cancel(null);
    }
  }
}
