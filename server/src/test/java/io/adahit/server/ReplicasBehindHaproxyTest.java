package io.adahit.server;

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
import io.adahit.server.events.TestDatabases;
import io.adahit.server.experiments.Experiment;
import io.adahit.server.skills.LoadProgress;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas behind a real load balancer, as a user who outgrew one machine runs them:
 * PostgreSQL (the test cluster from Debian's package) holds the A/B events, the shared gRPC Act
 * conversations and the desired admin state; two in-process servers on their own ports
 * ({@code conversations.shared: true}, {@code admin.syncSeconds: 1}); HAProxy from Debian's
 * package balances every gRPC call round-robin (h2c on both sides, so each call, not each
 * connection, is balanced) and the admin HTTP API. Skipped, saying what to install, without
 * haproxy or PostgreSQL.
 */
@ExtendWith(TestDatabases.class)
class ReplicasBehindHaproxyTest {

  static final String TOKEN = "replicas-admin-token-0123456789";
  static final Experiment EXPERIMENT = new Experiment("ada-ab", "ada", List.of(
      new Experiment.Variant("a", null, 1.0), new Experiment.Variant("b", "ada2", 1.0)));
  static final ObjectMapper JSON = new ObjectMapper();
  /** Calls retried, by status code (reported, not asserted: how many depends on timing). */
  static final Map<String, Integer> RETRIES = new ConcurrentHashMap<>();

  @TempDir Path tmp;

  @Test
  void twoReplicasBehindHaproxyBehaveAsOneServer(TestDatabases.Factory dbs) throws Exception {
    Path haproxy = findOnPath("haproxy");
    Assumptions.assumeTrue(haproxy != null, "haproxy not found on PATH: the replicas-behind-a-load-balancer test is"
        + " skipped (apt-get install -y haproxy to run it)");
    String url = dbs.create("postgresql");

    Path skills;
    try (Backbone reference = Backbone.loadDefault()) {
      skills = AbFixtures.write(TestSkills.write(tmp.resolve("skills"), reference), reference);
    }
    DialogueServer r1 = replica("r1", url, skills);
    DialogueServer r2 = replica("r2", url, skills);
    Process lb = null;
    ExecutorService pool = Executors.newFixedThreadPool(8);
    ManagedChannel channel = null;
    ManagedChannel direct1 = null;
    ManagedChannel direct2 = null;
    try {
      int grpcPort = freePort();
      int httpPort = freePort();
      lb = startHaproxy(haproxy, grpcPort, httpPort, r1, r2);
      channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
      DialogueServiceGrpc.DialogueServiceBlockingStub viaLb = DialogueServiceGrpc.newBlockingStub(channel);

      // 1. 50 conversations of 5 turns, every call balanced: skill, persona and history kept on every turn
      Map<String, List<String>> sent = conversations(pool, viaLb, 50, 5, "base", null);
      double t1 = turns(r1, "base");
      double t2 = turns(r2, "base");
      assertThat(t1 + t2).isEqualTo(250);
      assertThat(Math.min(t1, t2)).as("round-robin per call: r1 %s, r2 %s turns", t1, t2).isGreaterThanOrEqualTo(100);
      assertLogged(sent, r1, r2);

      // 2. an adapter replaced and an experiment created through the balancer: both replicas converge
      HttpResponse<String> replaced = admin(httpPort, "POST", "/admin/adapters/replace", "{\"skill\": \"ada\", \"dir\": \"ada2\"}");
      assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
      String ada2Fingerprint = JSON.readTree(replaced.body()).get("weights_fingerprint").asText();
      HttpResponse<String> created = admin(httpPort, "POST", "/admin/experiments", JSON.writeValueAsString(EXPERIMENT));
      assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      JsonNode d1 = desired(r1);
      JsonNode d2 = desired(r2);
      while ((d1.get("appliedVersion").asLong() < 2 || d2.get("appliedVersion").asLong() < 2)
          && System.nanoTime() < deadline) {   // each replica polls every admin.syncSeconds (1 s)
        Thread.sleep(200);
        d1 = desired(r1);
        d2 = desired(r2);
      }
      assertThat(d1.get("appliedVersion").asLong()).as(d1.toString()).isEqualTo(2);
      assertThat(d2.get("appliedVersion").asLong()).as(d2.toString()).isEqualTo(2);
      assertThat(r1.experiments().running("ada-ab")).as("r1 serves the experiment").isPresent();
      assertThat(r2.experiments().running("ada-ab")).as("r2 serves the experiment").isPresent();
      assertThat(d1.get("problems")).isEmpty();
      assertThat(d2.get("problems")).isEmpty();
      assertThat(d1.get("served")).as("the same adapters, by fingerprint, on both").isEqualTo(d2.get("served"));
      assertThat(d2.get("served").toString()).contains(ada2Fingerprint);
      assertThat(d2.get("experiments").toString()).contains("ada-ab");
      double ada1 = turns(r1, "ada");
      double ada2 = turns(r2, "ada");
      Map<String, String> variants = new ConcurrentHashMap<>();
      Map<String, List<String>> abSent = conversations(pool, viaLb, 20, 2, "ada", variants);
      assertThat(turns(r1, "ada") - ada1).as("r1 answered experiment turns").isPositive();
      assertThat(turns(r2, "ada") - ada2).as("r2 answered experiment turns").isPositive();
      for (String id : abSent.keySet()) {
        assertThat(variants.get(id)).as("the variant on every turn of " + id).isEqualTo(EXPERIMENT.assign(id).name());
      }
      // feedback through either replica (half straight to r1, half to r2), then one report through the balancer
      direct1 = NettyChannelBuilder.forAddress("127.0.0.1", r1.grpcPort()).usePlaintext().build();
      direct2 = NettyChannelBuilder.forAddress("127.0.0.1", r2.grpcPort()).usePlaintext().build();
      int i = 0;
      Map<String, Integer> ratedByVariant = new HashMap<>();
      for (String id : abSent.keySet()) {
        ManagedChannel via = i++ % 2 == 0 ? direct1 : direct2;
        FeedbackResponse fr = DialogueServiceGrpc.newBlockingStub(via).withDeadlineAfter(30, TimeUnit.SECONDS)
            .feedback(FeedbackRequest.newBuilder().setConversationId(id).setRating(4).build());
        assertThat(fr.getVariant()).isEqualTo(variants.get(id));
        ratedByVariant.merge(fr.getVariant(), 1, Integer::sum);
      }
      HttpResponse<String> rep = admin(httpPort, "GET", "/admin/experiments/ada-ab/report", null);
      assertThat(rep.statusCode()).as(rep.body()).isEqualTo(200);
      JsonNode report = JSON.readTree(rep.body());
      for (JsonNode v : report.get("variants")) {
        assertThat(v.get("ratings").asLong()).as("variant " + v.get("variant").asText())
            .isEqualTo((long) ratedByVariant.getOrDefault(v.get("variant").asText(), 0));
      }

      // 3. one replica stops mid-run: nothing acknowledged is lost, its conversations continue on the other
      CountDownLatch halfway = new CountDownLatch(20);
      List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
      Future<Map<String, List<String>>> run = pool.submit(() -> conversationsWithFeedback(viaLb, 20, 6, halfway,
          acknowledged));
      assertThat(halfway.await(120, TimeUnit.SECONDS)).as("every conversation reached its third turn").isTrue();
      double r2Before = turns(r2, "base");
      r2.close();
      Map<String, List<String>> survived = run.get(180, TimeUnit.SECONDS);
      assertThat(survived).hasSize(20);
      assertThat(turns(r2, "base")).as("r2 took turns of this run before it stopped").isGreaterThan(t2);
      assertThat(r2Before).isGreaterThan(t2);
      assertLogged(survived, r1, r2);
      try (Connection c = DriverManager.getConnection(url);
          PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM ab_feedback WHERE event_id = ?")) {
        for (String id : acknowledged) {
          s.setString(1, id);
          try (ResultSet r = s.executeQuery()) {
            r.next();
            assertThat(r.getInt(1)).as("acknowledged feedback " + id + " is stored").isEqualTo(1);
          }
        }
      }
      assertThat(acknowledged).as("a rating after every turn, each acknowledged once").hasSize(20 * 6);
      io.micrometer.core.instrument.Timer store = r1.registry().find("adahit.conversations.shared.turn").timer();
      System.out.printf("replicas test: turns r1 %.0f, r2 %.0f (stopped after %.0f); calls retried %s; r1 store read+write"
          + " per turn: %d turns, mean %.2f ms, max %.2f ms (under this test's own load)%n",
          turns(r1, "base") + turns(r1, "ada"), turns(r2, "base") + turns(r2, "ada"), r2Before, RETRIES,
          store.count(), store.mean(TimeUnit.MILLISECONDS), store.max(TimeUnit.MILLISECONDS));
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
      }
      r1.close();
      r2.close();
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
   * {@code n} conversations of {@code turns} turns through the balancer, 8 at a time; half open
   * with a client-chosen id, half let the server mint it. Every reply must carry the first
   * reply's skill and persona (and variant). The last turn ends the episode (logged).
   *
   * @return conversation id → the user texts sent
   */
  private static Map<String, List<String>> conversations(ExecutorService pool,
      DialogueServiceGrpc.DialogueServiceBlockingStub stub, int n, int turns, String skill, Map<String, String> variants)
      throws Exception {
    List<Future<Map.Entry<String, List<String>>>> all = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      int conv = k;
      all.add(pool.submit(() -> {
        String id = conv % 2 == 0 ? "" : "conv-" + skill + "-" + conv + "-" + System.nanoTime();
        List<String> texts = new ArrayList<>();
        ActResponse first = null;
        for (int t = 0; t < turns; t++) {
          String text = "conversation " + conv + " turn " + t + ": do you like " + (t % 2 == 0 ? "tea" : "dogs") + "?";
          ActResponse r = act(stub, id, skill, text, t == turns - 1);
          texts.add(text);
          if (first == null) {
            first = r;
            id = r.getConversationId();
            assertThat(r.getSkill()).isEqualTo(skill);
          }
          assertThat(r.getConversationId()).isEqualTo(id);
          assertThat(r.getSkill()).as("skill on turn " + t).isEqualTo(first.getSkill());
          assertThat(r.getPersonaList()).as("persona on turn " + t).isEqualTo(first.getPersonaList());
          assertThat(r.getVariant()).as("variant on turn " + t).isEqualTo(first.getVariant());
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

  /** As {@link #conversations}, with a rating after every turn; counts down once per conversation after turn 3. */
  private static Map<String, List<String>> conversationsWithFeedback(DialogueServiceGrpc.DialogueServiceBlockingStub stub,
      int n, int turns, CountDownLatch halfway, List<String> acknowledged) throws Exception {
    ExecutorService own = Executors.newFixedThreadPool(n);   // all wait at the halfway latch together
    try {
      List<Future<Map.Entry<String, List<String>>>> all = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        int conv = k;
        all.add(own.submit((Callable<Map.Entry<String, List<String>>>) () -> {
          String id = "";
          List<String> texts = new ArrayList<>();
          List<String> persona = null;
          for (int t = 0; t < turns; t++) {
            String text = "stopping run " + conv + " turn " + t + ": what do you do for fun?";
            ActResponse r = act(stub, id, "base", text, t == turns - 1);
            texts.add(text);
            id = r.getConversationId();
            if (persona == null) {
              persona = r.getPersonaList();
            }
            assertThat(r.getPersonaList()).as("persona on turn " + t).isEqualTo(persona);
            FeedbackRequest rating = FeedbackRequest.newBuilder().setConversationId(id).setRating(1 + t % 5)
                .setTurn(t + 1).build();
            FeedbackResponse fr = retrying(() -> stub.withDeadlineAfter(60, TimeUnit.SECONDS).feedback(rating));
            acknowledged.add(fr.getFeedbackId());
            if (t == 2) {
              halfway.countDown();
              halfway.await(120, TimeUnit.SECONDS);
              Thread.sleep(conv * 20L);   // spread the next turns over the stop
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

  private static ActResponse act(DialogueServiceGrpc.DialogueServiceBlockingStub stub, String id, String skill,
      String text, boolean last) throws Exception {
    return retrying(() -> stub.withDeadlineAfter(60, TimeUnit.SECONDS).act(ActRequest.newBuilder()
        .setConversationId(id).setSkill(skill).setMessage(Message.newBuilder().setText(text).setEpisodeDone(last))
        .build()));
  }

  /**
   * What the README tells clients: UNAVAILABLE from a replica that is stopping (the call was
   * refused before anything was applied) and ABORTED (a lost race, nothing applied) are retried.
   */
  private static <T> T retrying(Callable<T> call) throws Exception {
    for (int attempt = 0; ; attempt++) {
      try {
        return call.call();
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        if (attempt >= 10 || (code != Status.Code.UNAVAILABLE && code != Status.Code.ABORTED)) {
          throw e;
        }
        RETRIES.merge(code.name(), 1, Integer::sum);
        Thread.sleep(200);
      }
    }
  }

  /**
   * Each conversation's episode is logged once, by whichever replica took its last turn, with
   * every user text in order and every reply: the history went from replica to replica.
   */
  private static void assertLogged(Map<String, List<String>> sent, DialogueServer... replicas) throws IOException {
    Map<String, List<JsonNode>> episodes = new HashMap<>();
    for (DialogueServer s : replicas) {
      for (String line : Files.readAllLines(s.conversationLog().file())) {
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
      assertThat(users).as("the history of " + e.getKey() + " across replicas").isEqualTo(e.getValue());
    }
  }

  /** A replica's GET /admin/desired, straight to it (not through the balancer). */
  private static JsonNode desired(DialogueServer s) throws Exception {
    HttpResponse<String> r = admin(s.httpPort(), "GET", "/admin/desired", null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static double turns(DialogueServer s, String skill) {
    Counter c = s.registry().find("adahit.turns").tags("skill", skill, "transport", "grpc-act").counter();
    return c == null ? 0 : c.count();
  }

  private static HttpResponse<String> admin(int port, String method, String path, String body) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + TOKEN).timeout(java.time.Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build();
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
        .send(r, HttpResponse.BodyHandlers.ofString());
  }

  /**
   * HAProxy in the foreground: gRPC (h2c) on both sides, round-robin per request; a replica is
   * taken out when its /health stops answering 200; a call whose connection to a replica fails is
   * sent to the other (retry-on conn-failure: nothing reached the replica, so resending is safe).
   */
  private Process startHaproxy(Path haproxy, int grpcPort, int httpPort, DialogueServer r1, DialogueServer r2)
      throws Exception {
    String cfg = """
        global
          maxconn 512
        defaults
          mode http
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
        """.formatted(grpcPort, r1.grpcPort(), r1.httpPort(), r2.grpcPort(), r2.httpPort(), httpPort,
        r1.httpPort(), r2.httpPort());
    Path file = tmp.resolve("haproxy.cfg");
    Files.writeString(file, cfg);
    Path out = tmp.resolve("haproxy.log");
    Process p = new ProcessBuilder(haproxy.toString(), "-db", "-f", file.toString()).redirectErrorStream(true)
        .redirectOutput(out.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException("haproxy exited " + p.exitValue() + ": " + Files.readString(out));
      }
      if (accepts(grpcPort) && accepts(httpPort)) {
        Thread.sleep(1000);   // its first health checks mark both replicas up
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
    for (String dir : Set.of("/usr/sbin", "/sbin")) {   // Debian installs haproxy in /usr/sbin
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }
}
