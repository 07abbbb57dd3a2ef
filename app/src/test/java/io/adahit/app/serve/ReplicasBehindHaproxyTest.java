package io.adahit.app.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import io.adahit.server.events.TestDatabases;
import io.adahit.server.experiments.Experiment;
import io.adahit.server.skills.LoadProgress;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas behind a real load balancer, as a user who outgrew one machine runs them: PostgreSQL
 * (the test cluster from Debian's package) holds the A/B events, the shared gRPC Act conversations
 * and the desired admin state; two servers on their own ports ({@code conversations.shared: true},
 * {@code admin.syncSeconds: 1}), r1 in this JVM and r2 a separate JVM ({@code serve} through {@link
 * ReplicaMain}, the same config as a YAML file) so that it can be killed outright (SIGKILL)
 * mid-run; HAProxy from Debian's package balances every gRPC call round-robin (h2c on both sides,
 * so each call, not each connection, is balanced) and the admin HTTP API. Skipped, saying what to
 * install, without haproxy or PostgreSQL.
 */
@ExtendWith(TestDatabases.class)
class ReplicasBehindHaproxyTest {

  static final String TOKEN = "replicas-admin-token-0123456789";
  static final Experiment EXPERIMENT =
      new Experiment(
          "ada-ab",
          "ada",
          List.of(
              new Experiment.Variant("a", null, 1.0), new Experiment.Variant("b", "ada2", 1.0)));
  static final ObjectMapper JSON = new ObjectMapper();

  /** Calls retried, by status code (reported, not asserted: how many depends on timing). */
  static final Map<String, Integer> RETRIES = new ConcurrentHashMap<>();

  /** Client calls (Act and Feedback) sent and not yet answered or failed. */
  static final AtomicInteger IN_FLIGHT = new AtomicInteger();

  @TempDir Path tmp;

  /** The replica in its own JVM; killed after the test whatever happened. */
  private Process child;

  /** A replica running as a separate process: its ports and conversation-log folder. */
  record ChildReplica(Process process, int httpPort, int grpcPort, Path logDir) {}

  @AfterEach
  void killChild() throws InterruptedException {
    if (child != null && child.isAlive()) {
      child.destroyForcibly();
      child.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void twoReplicasBehindHaproxyBehaveAsOneServer(TestDatabases.Factory dbs) throws Exception {
    Path haproxy = findOnPath("haproxy");
    Assumptions.assumeTrue(
        haproxy != null,
        "haproxy not found on PATH: the replicas-behind-a-load-balancer test is"
            + " skipped (apt-get install -y haproxy to run it)");
    String url = dbs.create("postgresql");

    Path skills;
    try (Backbone reference = Backbone.loadDefault()) {
      skills = AbFixtures.write(TestSkills.write(tmp.resolve("skills"), reference), reference);
    }
    DialogueServer r1 = replica("r1", url, skills);
    ChildReplica r2 = childReplica("r2", url, skills);
    Process lb = null;
    ExecutorService pool = Executors.newFixedThreadPool(8);
    ManagedChannel channel = null;
    ManagedChannel direct1 = null;
    ManagedChannel direct2 = null;
    try {
      int grpcPort = freePort();
      int httpPort = freePort();
      lb =
          startHaproxy(
              haproxy,
              grpcPort,
              httpPort,
              r1.grpcPort(),
              r1.httpPort(),
              r2.grpcPort(),
              r2.httpPort());
      channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
      DialogueServiceGrpc.DialogueServiceBlockingStub viaLb =
          DialogueServiceGrpc.newBlockingStub(channel);

      // 1. 50 conversations of 5 turns, every call balanced: skill, persona and history kept on
      // every turn
      Map<String, List<String>> sent = conversations(pool, viaLb, 50, 5, "base", null);
      double t1 = turns(r1, "base");
      double t2 = turns(r2.httpPort(), "base");
      assertThat(t1 + t2).isEqualTo(250);
      assertThat(Math.min(t1, t2))
          .as("round-robin per call: r1 %s, r2 %s turns", t1, t2)
          .isGreaterThanOrEqualTo(100);
      assertLogged(sent, 0, logFiles(r1, r2));

      // 2. an adapter replaced and an experiment created through the balancer: both replicas
      // converge
      HttpResponse<String> replaced =
          admin(
              httpPort,
              "POST",
              "/admin/adapters/replace",
              "{\"skill\": \"ada\", \"dir\": \"ada2\"}");
      assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
      String ada2Fingerprint = JSON.readTree(replaced.body()).get("weights_fingerprint").asText();
      HttpResponse<String> created =
          admin(httpPort, "POST", "/admin/experiments", JSON.writeValueAsString(EXPERIMENT));
      assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      JsonNode d1 = desired(r1.httpPort());
      JsonNode d2 = desired(r2.httpPort());
      while ((d1.get("appliedVersion").asLong() < 2 || d2.get("appliedVersion").asLong() < 2)
          && System.nanoTime() < deadline) { // each replica polls every admin.syncSeconds (1 s)
        Thread.sleep(200);
        d1 = desired(r1.httpPort());
        d2 = desired(r2.httpPort());
      }
      assertThat(d1.get("appliedVersion").asLong()).as(d1.toString()).isEqualTo(2);
      assertThat(d2.get("appliedVersion").asLong()).as(d2.toString()).isEqualTo(2);
      assertThat(r1.experiments().running("ada-ab")).as("r1 serves the experiment").isPresent();
      assertThat(d1.get("problems")).isEmpty();
      assertThat(d2.get("problems")).isEmpty();
      assertThat(d1.get("served"))
          .as("the same adapters, by fingerprint, on both")
          .isEqualTo(d2.get("served"));
      assertThat(d2.get("served").toString()).contains(ada2Fingerprint);
      assertThat(d2.get("experiments").toString()).contains("ada-ab");
      double ada1 = turns(r1, "ada");
      double ada2 = turns(r2.httpPort(), "ada");
      Map<String, String> variants = new ConcurrentHashMap<>();
      Map<String, List<String>> abSent = conversations(pool, viaLb, 20, 2, "ada", variants);
      assertThat(turns(r1, "ada") - ada1).as("r1 answered experiment turns").isPositive();
      assertThat(turns(r2.httpPort(), "ada") - ada2)
          .as("r2 answered experiment turns")
          .isPositive();
      for (String id : abSent.keySet()) {
        assertThat(variants.get(id))
            .as("the variant on every turn of " + id)
            .isEqualTo(EXPERIMENT.assign(id).name());
      }
      // feedback through either replica (half straight to r1, half to r2), then one report through
      // the balancer
      direct1 = NettyChannelBuilder.forAddress("127.0.0.1", r1.grpcPort()).usePlaintext().build();
      direct2 = NettyChannelBuilder.forAddress("127.0.0.1", r2.grpcPort()).usePlaintext().build();
      int i = 0;
      Map<String, Integer> ratedByVariant = new HashMap<>();
      for (String id : abSent.keySet()) {
        ManagedChannel via = i++ % 2 == 0 ? direct1 : direct2;
        FeedbackResponse fr =
            DialogueServiceGrpc.newBlockingStub(via)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .feedback(FeedbackRequest.newBuilder().setConversationId(id).setRating(4).build());
        assertThat(fr.getVariant()).isEqualTo(variants.get(id));
        ratedByVariant.merge(fr.getVariant(), 1, Integer::sum);
      }
      HttpResponse<String> rep = admin(httpPort, "GET", "/admin/experiments/ada-ab/report", null);
      assertThat(rep.statusCode()).as(rep.body()).isEqualTo(200);
      JsonNode report = JSON.readTree(rep.body());
      for (JsonNode v : report.get("variants")) {
        assertThat(v.get("ratings").asLong())
            .as("variant " + v.get("variant").asText())
            .isEqualTo((long) ratedByVariant.getOrDefault(v.get("variant").asText(), 0));
      }

      // 3. r2 is killed outright (SIGKILL) mid-run: nothing acknowledged is lost, its conversations
      // continue on r1
      CountDownLatch halfway = new CountDownLatch(20);
      List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
      Future<Map<String, List<String>>> run =
          pool.submit(() -> conversationsWithFeedback(viaLb, 20, 6, halfway, acknowledged));
      assertThat(halfway.await(120, TimeUnit.SECONDS))
          .as("every conversation reached its third turn")
          .isTrue();
      Thread.sleep(150); // the conversations are sending their fourth turns (spread over 0-380 ms)
      // kill while r2 is answering an Act (a shared conversation is open on a replica only during a
      // call)
      long busy = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      double r2Open = metric(r2.httpPort(), "adahit_conversations_open", "");
      while (r2Open < 1 && System.nanoTime() < busy) {
        r2Open = metric(r2.httpPort(), "adahit_conversations_open", "");
      }
      int inFlightAtKill = IN_FLIGHT.get();
      RETRIES.clear(); // from here on: what the kill made clients see
      double r2Before = turns(r2.httpPort(), "base");
      double r1AtKill = turns(r1, "base");
      int ackedBeforeKill = acknowledged.size();
      List<String> ackedBefore = List.copyOf(acknowledged);
      r2.process().destroyForcibly(); // SIGKILL: no shutdown hook, no drain
      assertThat(r2.process().waitFor(10, TimeUnit.SECONDS)).as("r2 died").isTrue();
      int r2Exit = r2.process().exitValue();
      assertThat(r2Exit).as("killed by SIGKILL (128 + 9)").isEqualTo(137);
      Map<String, List<String>> survived = run.get(180, TimeUnit.SECONDS);
      assertThat(survived).hasSize(20);
      assertThat(r2Before).as("r2 took turns of this run before it was killed").isGreaterThan(t2);
      assertThat(ackedBeforeKill).as("the kill came mid-run").isLessThan(20 * 6);
      assertThat(turns(r1, "base") - r1AtKill)
          .as("r1 answered the turns after the kill")
          .isPositive();
      // a turn in flight at the kill may have been stored by r2 before it died and then resent:
      // once per conversation
      int twice = assertLogged(survived, 1, logFiles(r1, r2));
      assertThat(r2Open).as("r2 was answering an Act when it was killed").isGreaterThanOrEqualTo(1);
      assertThat(acknowledged).as("acknowledged before the kill").containsAll(ackedBefore);
      try (Connection c = DriverManager.getConnection(url);
          PreparedStatement s =
              c.prepareStatement("SELECT COUNT(*) FROM ab_feedback WHERE event_id = ?")) {
        for (String id : acknowledged) {
          s.setString(1, id);
          try (ResultSet r = s.executeQuery()) {
            r.next();
            assertThat(r.getInt(1)).as("acknowledged feedback " + id + " is stored").isEqualTo(1);
          }
        }
      }
      assertThat(acknowledged)
          .as("a rating after every turn, each acknowledged once")
          .hasSize(20 * 6);
      int stored;
      try (Connection c = DriverManager.getConnection(url);
          ResultSet r = c.createStatement().executeQuery("SELECT COUNT(*) FROM ab_feedback")) {
        r.next();
        stored =
            r.getInt(1) - abSent.size(); // this run's ratings (plus any stored twice by a resend)
      }
      io.micrometer.core.instrument.Timer store =
          r1.registry().find("adahit.conversations.shared.turn").timer();
      System.out.printf(
          "replicas test: turns r1 %.0f, r2 %.0f base turns when killed (exit %d, %d of 120 ratings"
              + " acknowledged by then, %d client calls in flight, %.0f Acts open on r2); turns stored twice %d, ratings"
              + " stored %d for 120 acknowledged; calls retried after the kill %s; r1 store read+write per turn: %d turns, mean %.2f ms, max %.2f ms"
              + " (under this test's own load)%n",
          turns(r1, "base") + turns(r1, "ada"),
          r2Before,
          r2Exit,
          ackedBeforeKill,
          inFlightAtKill,
          r2Open,
          twice,
          stored,
          RETRIES,
          store.count(),
          store.mean(TimeUnit.MILLISECONDS),
          store.max(TimeUnit.MILLISECONDS));
    } finally {
      pool.shutdownNow();
      for (ManagedChannel ch : new ManagedChannel[] {channel, direct1, direct2}) {
        if (ch != null) {
          ch.shutdownNow();
        }
      }
      if (lb != null) {
        lb.destroy();
        lb.waitFor(10, TimeUnit.SECONDS);
        Path lbLog = tmp.resolve("haproxy.log"); // kept for reading after the run (tmp is deleted)
        if (Files.isRegularFile(lbLog)) {
          Files.copy(
              lbLog,
              Path.of("target", "replicas-haproxy.log"),
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
      r1.close();
      killChild();
    }
  }

  private DialogueServer replica(String name, String url, Path skills) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(name));
    Map<String, String> o = new LinkedHashMap<>();
    o.put("skills.dir", skills.toString());
    o.put("events.url", url);
    o.put("events.replica", name);
    o.put("conversations.shared", "true");
    o.put("admin.token", TOKEN);
    o.put("admin.syncSeconds", "1");
    o.put("admin.retireGraceSeconds", "0");
    o.put("batching.maxWaitMillis", "5");
    DialogueServer s = new DialogueServer(TestSkills.config(dir, o), new Random(name.hashCode()));
    s.start(LoadProgress.NONE);
    return s;
  }

  /**
   * {@code serve} in a JVM of its own with the same settings as {@link #replica} (written out as a
   * YAML file, the database URL from ADAHIT_EVENTS_URL as a deployment passes it), on fixed free
   * ports; returns when its /health answers 200. Its output goes to {@code <name>.out}.
   */
  private ChildReplica childReplica(String name, String url, Path skills) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(name));
    int http = freePort();
    int grpc = freePort();
    Map<String, String> o = new LinkedHashMap<>();
    o.put("skills.default", "base"); // as TestSkills.config
    o.put("skills.cacheDir", dir.resolve("cache").toString());
    o.put("logs.dir", dir.resolve("logs").toString());
    o.put("shutdown.graceSeconds", "5");
    o.put("http.port", Integer.toString(http));
    o.put("grpc.port", Integer.toString(grpc));
    o.put("skills.dir", skills.toString());
    o.put("events.replica", name);
    o.put("conversations.shared", "true");
    o.put("admin.token", TOKEN);
    o.put("admin.syncSeconds", "1");
    o.put("admin.retireGraceSeconds", "0");
    o.put("batching.maxWaitMillis", "5");
    Path yaml = dir.resolve("server.yaml");
    Files.writeString(yaml, yaml(o));
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("-Dai.djl."))
        .forEach(cmd::add); // the same PyTorch settings as this JVM
    cmd.add("-Xmx2g");
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            ReplicaMain.class.getName(),
            "--config",
            yaml.toString()));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(name + ".out").toFile());
    for (String v :
        List.of("LD_PRELOAD", "GLIBC_TUNABLES", "OMP_WAIT_POLICY")) { // surefire's, for PyTorch
      String value = System.getenv(v);
      if (value != null) {
        pb.environment().put(v, value);
      }
    }
    pb.environment().put("ADAHIT_EVENTS_URL", url);
    child = pb.start(); // its stdin stays open: ReplicaMain halts when this JVM is gone
    HttpClient http1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (!child.isAlive()) {
        throw new IllegalStateException(
            name
                + " exited "
                + child.exitValue()
                + ": "
                + Files.readString(dir.resolve(name + ".out")));
      }
      try {
        HttpResponse<String> h =
            http1.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/health"))
                    .timeout(java.time.Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (h.statusCode() == 200) {
          return new ChildReplica(child, http, grpc, dir.resolve("logs"));
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(300);
    }
    throw new IllegalStateException(
        name + " not ready within 120 s: " + Files.readString(dir.resolve(name + ".out")));
  }

  /**
   * Dotted keys (two levels) as a nested YAML file; strings double-quoted, numbers and booleans
   * bare.
   */
  private static String yaml(Map<String, String> dotted) {
    Map<String, Map<String, String>> sections = new LinkedHashMap<>();
    dotted.forEach(
        (k, v) ->
            sections
                .computeIfAbsent(k.substring(0, k.indexOf('.')), x -> new LinkedHashMap<>())
                .put(k.substring(k.indexOf('.') + 1), v));
    StringBuilder y = new StringBuilder();
    sections.forEach(
        (section, keys) -> {
          y.append(section).append(":\n");
          keys.forEach(
              (k, v) -> {
                boolean bare = v.matches("-?[0-9]+") || v.equals("true") || v.equals("false");
                try {
                  y.append("  ")
                      .append(k)
                      .append(": ")
                      .append(bare ? v : JSON.writeValueAsString(v))
                      .append('\n');
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              });
        });
    return y.toString();
  }

  /** Every conversation-log file of the in-process replica and of the child's log folder. */
  private static List<Path> logFiles(DialogueServer inProcess, ChildReplica other)
      throws IOException {
    List<Path> files = new ArrayList<>();
    files.add(inProcess.conversationLog().file());
    if (Files.isDirectory(other.logDir())) {
      try (Stream<Path> s = Files.list(other.logDir())) {
        s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).forEach(files::add);
      }
    }
    return files;
  }

  /**
   * {@code n} conversations of {@code turns} turns through the balancer, 8 at a time; half open
   * with a client-chosen id, half let the server mint it. Every reply must carry the first reply's
   * skill and persona (and variant). The last turn ends the episode (logged).
   *
   * @return conversation id → the user texts sent
   */
  private static Map<String, List<String>> conversations(
      ExecutorService pool,
      DialogueServiceGrpc.DialogueServiceBlockingStub stub,
      int n,
      int turns,
      String skill,
      Map<String, String> variants)
      throws Exception {
    List<Future<Map.Entry<String, List<String>>>> all = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      int conv = k;
      all.add(
          pool.submit(
              () -> {
                String id =
                    conv % 2 == 0 ? "" : "conv-" + skill + "-" + conv + "-" + System.nanoTime();
                List<String> texts = new ArrayList<>();
                ActResponse first = null;
                for (int t = 0; t < turns; t++) {
                  String text =
                      "conversation "
                          + conv
                          + " turn "
                          + t
                          + ": do you like "
                          + (t % 2 == 0 ? "tea" : "dogs")
                          + "?";
                  ActResponse r = act(stub, id, skill, text, t == turns - 1);
                  texts.add(text);
                  if (first == null) {
                    first = r;
                    id = r.getConversationId();
                    assertThat(r.getSkill()).isEqualTo(skill);
                  }
                  assertThat(r.getConversationId()).isEqualTo(id);
                  assertThat(r.getSkill()).as("skill on turn " + t).isEqualTo(first.getSkill());
                  assertThat(r.getPersonaList())
                      .as("persona on turn " + t)
                      .isEqualTo(first.getPersonaList());
                  assertThat(r.getVariant())
                      .as("variant on turn " + t)
                      .isEqualTo(first.getVariant());
                  if (variants != null) {
                    variants.put(id, r.getVariant());
                  }
                }
                if (skill.equals("base")) {
                  assertThat(first.getPersonaList()).as("the base skill has personas").isNotEmpty();
                }
                return Map.entry(id, texts);
              }));
    }
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Future<Map.Entry<String, List<String>>> f : all) {
      Map.Entry<String, List<String>> e = f.get(180, TimeUnit.SECONDS);
      out.put(e.getKey(), e.getValue());
    }
    return out;
  }

  /**
   * As {@link #conversations}, with a rating after every turn; counts down once per conversation
   * after turn 3.
   */
  private static Map<String, List<String>> conversationsWithFeedback(
      DialogueServiceGrpc.DialogueServiceBlockingStub stub,
      int n,
      int turns,
      CountDownLatch halfway,
      List<String> acknowledged)
      throws Exception {
    ExecutorService own = Executors.newFixedThreadPool(n); // all wait at the halfway latch together
    try {
      List<Future<Map.Entry<String, List<String>>>> all = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        int conv = k;
        all.add(
            own.submit(
                (Callable<Map.Entry<String, List<String>>>)
                    () -> {
                      String id = "";
                      List<String> texts = new ArrayList<>();
                      List<String> persona = null;
                      for (int t = 0; t < turns; t++) {
                        String text =
                            "stopping run " + conv + " turn " + t + ": what do you do for fun?";
                        ActResponse r = act(stub, id, "base", text, t == turns - 1);
                        texts.add(text);
                        id = r.getConversationId();
                        if (persona == null) {
                          persona = r.getPersonaList();
                        }
                        assertThat(r.getPersonaList())
                            .as("persona on turn " + t)
                            .isEqualTo(persona);
                        FeedbackRequest rating =
                            FeedbackRequest.newBuilder()
                                .setConversationId(id)
                                .setRating(1 + t % 5)
                                .setTurn(t + 1)
                                .build();
                        FeedbackResponse fr =
                            retrying(
                                () ->
                                    stub.withDeadlineAfter(60, TimeUnit.SECONDS).feedback(rating));
                        acknowledged.add(fr.getFeedbackId());
                        if (t == 2) {
                          halfway.countDown();
                          halfway.await(120, TimeUnit.SECONDS);
                          Thread.sleep(conv * 20L); // spread the next turns over the stop
                        }
                      }
                      return Map.entry(id, texts);
                    }));
      }
      Map<String, List<String>> out = new LinkedHashMap<>();
      for (Future<Map.Entry<String, List<String>>> f : all) {
        Map.Entry<String, List<String>> e = f.get(180, TimeUnit.SECONDS);
        out.put(e.getKey(), e.getValue());
      }
      return out;
    } finally {
      own.shutdownNow();
    }
  }

  private static ActResponse act(
      DialogueServiceGrpc.DialogueServiceBlockingStub stub,
      String id,
      String skill,
      String text,
      boolean last)
      throws Exception {
    return retrying(
        () ->
            stub.withDeadlineAfter(60, TimeUnit.SECONDS)
                .act(
                    ActRequest.newBuilder()
                        .setConversationId(id)
                        .setSkill(skill)
                        .setMessage(Message.newBuilder().setText(text).setEpisodeDone(last))
                        .build()));
  }

  /**
   * What the README tells clients: UNAVAILABLE (from a replica that is stopping, or from the
   * balancer when the replica died under the call) and ABORTED (a lost race, nothing applied) are
   * retried; any other status fails the test.
   */
  private static <T> T retrying(Callable<T> call) throws Exception {
    for (int attempt = 0; ; attempt++) {
      StatusRuntimeException failed;
      IN_FLIGHT.incrementAndGet();
      try {
        return call.call();
      } catch (StatusRuntimeException e) {
        failed = e;
      } finally {
        IN_FLIGHT.decrementAndGet();
      }
      Status.Code code = failed.getStatus().getCode();
      if (attempt >= 10 || (code != Status.Code.UNAVAILABLE && code != Status.Code.ABORTED)) {
        throw failed;
      }
      RETRIES.merge(
          code.name() + " (" + failed.getStatus().getDescription() + ")", 1, Integer::sum);
      Thread.sleep(200);
    }
  }

  /**
   * Each conversation's episode is logged once, by whichever replica took its last turn, with every
   * user text in order and every reply: the history went from replica to replica. Up to {@code
   * resent} user texts may appear twice in a row (a turn a killed replica stored but never
   * acknowledged, sent again by the client, as the README says).
   */
  private static int assertLogged(Map<String, List<String>> sent, int resent, List<Path> logs)
      throws IOException {
    int twice = 0;
    Map<String, List<JsonNode>> episodes = new HashMap<>();
    for (Path log : logs) {
      for (String line : Files.readAllLines(log)) {
        JsonNode n = JSON.readTree(line);
        episodes.computeIfAbsent(n.get("conversation_id").asText(), k -> new ArrayList<>()).add(n);
      }
    }
    for (Map.Entry<String, List<String>> e : sent.entrySet()) {
      List<JsonNode> logged = episodes.get(e.getKey());
      assertThat(logged).as("episodes of " + e.getKey()).hasSize(1);
      JsonNode dialog = logged.get(0).get("dialog");
      List<String> users = new ArrayList<>();
      for (JsonNode pair : dialog) {
        users.add(pair.get(0).get("text").asText());
        assertThat(pair.get(1).get("text").asText()).isNotBlank();
      }
      List<String> once = new ArrayList<>();
      for (String u : users) {
        if (once.isEmpty() || !once.get(once.size() - 1).equals(u)) {
          once.add(u);
        }
      }
      assertThat(users.size() - once.size())
          .as("resent turns in " + users)
          .isLessThanOrEqualTo(resent);
      twice += users.size() - once.size();
      assertThat(once)
          .as("the history of " + e.getKey() + " across replicas")
          .isEqualTo(e.getValue());
    }
    return twice;
  }

  /** A replica's GET /admin/desired, straight to it (not through the balancer). */
  private static JsonNode desired(int httpPort) throws Exception {
    HttpResponse<String> r = admin(httpPort, "GET", "/admin/desired", null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static double turns(DialogueServer s, String skill) {
    Counter c =
        s.registry().find("adahit.turns").tags("skill", skill, "transport", "grpc-act").counter();
    return c == null ? 0 : c.count();
  }

  /** gRPC Act turns of {@code skill} a replica in another process answered, from its /metrics. */
  private static double turns(int httpPort, String skill) throws Exception {
    return metric(httpPort, "adahit_turns_total", "skill=\"" + skill + "\"");
  }

  /**
   * The sum of a metric's gRPC-Act series (or all series when it has no transport tag) whose tags
   * contain {@code tag}.
   */
  private static double metric(int httpPort, String name, String tag) throws Exception {
    HttpResponse<String> r =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .build()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics"))
                    .timeout(java.time.Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    double sum = 0;
    for (String line : r.body().split("\n")) {
      if ((line.startsWith(name + "{") || line.startsWith(name + " "))
          && line.contains(tag)
          && (!line.contains("transport=") || line.contains("transport=\"grpc-act\""))) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  private static HttpResponse<String> admin(int port, String method, String path, String body)
      throws Exception {
    HttpRequest r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + TOKEN)
            .timeout(java.time.Duration.ofSeconds(60))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build();
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .build()
        .send(r, HttpResponse.BodyHandlers.ofString());
  }

  /**
   * HAProxy in the foreground: gRPC (h2c) on both sides, round-robin per request; a replica is
   * taken out when its /health stops answering 200; a call whose connection to a replica fails is
   * sent to the other (retry-on conn-failure: nothing reached the replica, so resending is safe).
   */
  private Process startHaproxy(
      Path haproxy, int grpcPort, int httpPort, int r1Grpc, int r1Http, int r2Grpc, int r2Http)
      throws Exception {
    String cfg =
        """
        global
          maxconn 512
          log stdout format raw local0
        defaults
          mode http
          log global
          option httplog
          timeout connect 2s
          timeout client 120s
          timeout server 120s
          timeout check 2s
          retries 3
          option redispatch 1
          retry-on conn-failure
        frontend grpc_in
          bind 127.0.0.1:%d proto h2
          default_backend grpc_replicas
        backend grpc_replicas
          balance roundrobin
          option httpchk GET /health
          http-check expect status 200
          server r1 127.0.0.1:%d proto h2 check port %d check-proto h1 inter 300ms fall 2 rise 1
          server r2 127.0.0.1:%d proto h2 check port %d check-proto h1 inter 300ms fall 2 rise 1
        frontend admin_in
          bind 127.0.0.1:%d
          default_backend admin_replicas
        backend admin_replicas
          balance roundrobin
          option httpchk GET /health
          http-check expect status 200
          server r1 127.0.0.1:%d check inter 300ms fall 2 rise 1
          server r2 127.0.0.1:%d check inter 300ms fall 2 rise 1
        """
            .formatted(grpcPort, r1Grpc, r1Http, r2Grpc, r2Http, httpPort, r1Http, r2Http);
    Path file = tmp.resolve("haproxy.cfg");
    Files.writeString(file, cfg);
    Path out = tmp.resolve("haproxy.log");
    Process p =
        new ProcessBuilder(haproxy.toString(), "-db", "-f", file.toString())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException(
            "haproxy exited " + p.exitValue() + ": " + Files.readString(out));
      }
      if (accepts(grpcPort) && accepts(httpPort)) {
        Thread.sleep(1000); // its first health checks mark both replicas up
        return p;
      }
      Thread.sleep(100);
    }
    p.destroy();
    throw new IllegalStateException("haproxy did not listen within 20 s: " + Files.readString(out));
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static Path findOnPath(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    for (String dir : Set.of("/usr/sbin", "/sbin")) { // Debian installs haproxy in /usr/sbin
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }
}
