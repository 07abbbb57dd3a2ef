package io.adahit.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.adahit.server.web.ChatClient;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;

/**
 * A chat load against a running server that records what the server acknowledged, for a durability
 * check after a {@code kill -9}: N WebSocket conversations at once, each a ParlAI chat-service
 * client that runs episodes in a loop (onboarding; {@code begin}; {@code turns} turns with jittered
 * think times; a thumbs-up on the first reply, sent as {@code {"feedback": {"thumbs": "up", "turn":
 * 1}}}; {@code [DONE]}; a rating of the chat just ended) until told to stop. Every {@code [DONE]}
 * answered, every feedback answered {@code "recorded"} and every A/B variant named in a welcome
 * goes to the {@link AckLog} the moment its reply arrives. A socket that breaks (the server was
 * killed) or a reply that does not come is counted, and the conversation reconnects after a pause.
 * Each answered turn's latency (its text sent to its reply received, at the client) is kept for
 * {@link #percentile}.
 *
 * <pre>{@code
 * try (AckLog acks = AckLog.open(Path.of("acks.jsonl"))) {
 *   AckedLoad load = new AckedLoad("ws://127.0.0.1:35496/websocket", 200, 3, 2_000, texts, acks);
 *   load.run(() -> System.nanoTime() > deadline);   // returns once stop says so
 *   Map<String, Integer> outcomes = load.outcomes();
 * }
 * }</pre>
 */
public final class AckedLoad {

  private static final Duration REPLY_WAIT = Duration.ofSeconds(60);
  private static final long RECONNECT_PAUSE_MILLIS = 1_000;

  private final String url;
  private final int conversations;
  private final int turns;
  private final long thinkMillis;
  private final List<String> texts;
  private final AckLog acks;
  private final Map<String, Integer> outcomes = new ConcurrentHashMap<>();
  private final AtomicInteger answered = new AtomicInteger();
  private final ConcurrentLinkedQueue<Double> latenciesMillis = new ConcurrentLinkedQueue<>();
  private volatile boolean stopped;

  /**
   * @param turns turns per episode
   * @param thinkMillis mean pause after each reply (each drawn from [T/2, 3T/2]; starts staggered
   *     over [0, T))
   * @param texts what the simulated users say, in rotation
   */
  public AckedLoad(
      String url, int conversations, int turns, long thinkMillis, List<String> texts, AckLog acks) {
    if (conversations < 1 || turns < 1 || thinkMillis < 0 || texts.isEmpty()) {
      throw new IllegalArgumentException(
          "acked load: conversations and turns must be >= 1, think time >= 0 and"
              + " texts not empty, found "
              + conversations
              + ", "
              + turns
              + ", "
              + thinkMillis
              + ", "
              + texts.size());
    }
    this.url = url;
    this.conversations = conversations;
    this.turns = turns;
    this.thinkMillis = thinkMillis;
    this.texts = List.copyOf(texts);
    this.acks = acks;
  }

  /** Runs the conversations until {@code stop} is true (checked every 200 ms), then ends them. */
  public void run(BooleanSupplier stop) throws InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < conversations; i++) {
      int id = i;
      Thread t = new Thread(() -> converse(http, id), "bench-acked-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    while (!stop.getAsBoolean()) {
      Thread.sleep(200);
    }
    stopped = true;
    for (Thread t : threads) {
      t.interrupt();
    }
    for (Thread t : threads) {
      t.join(10_000);
    }
  }

  /** Turns answered so far. */
  public int answered() {
    return answered.get();
  }

  /**
   * Nearest-rank percentile of the answered turns' latencies in ms (Commons Math's {@link
   * Percentile.EstimationType#R_1}, as {@link LoadRun.Result#percentile}); NaN when nothing was
   * answered.
   *
   * @param p in (0, 100]
   */
  public double percentile(double p) {
    double[] ms = latenciesMillis.stream().mapToDouble(Double::doubleValue).toArray();
    return new Percentile().withEstimationType(Percentile.EstimationType.R_1).evaluate(ms, p);
  }

  /**
   * Outcomes other than answered turns and acknowledgements, by kind: the server's error tags,
   * {@code no_reply}, {@code connect_failed}, {@code connection_lost}, {@code not_acknowledged_*}.
   */
  public Map<String, Integer> outcomes() {
    return new TreeMap<>(outcomes);
  }

  private void count(String kind) {
    outcomes.merge(kind, 1, Integer::sum);
  }

  private void converse(HttpClient http, int id) {
    Random jitter = new Random(7919L * id + 1);
    int line = id * 7;
    try {
      if (thinkMillis > 0) {
        Thread.sleep((long) (jitter.nextDouble() * thinkMillis)); // staggered starts
      }
      while (!stopped) {
        ChatClient c;
        try {
          c = ChatClient.connect(http, url, Duration.ofSeconds(30));
        } catch (Exception e) {
          count("connect_failed");
          Thread.sleep(RECONNECT_PAUSE_MILLIS);
          continue;
        }
        try {
          if (reply(c, "hi") != null) {
            while (!stopped && episode(c, jitter, line)) {
              line += turns;
            }
          }
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          if (!stopped) {
            count("connection_lost");
          }
        } finally {
          c.close();
        }
        if (!stopped) {
          Thread.sleep(RECONNECT_PAUSE_MILLIS);
        }
      }
    } catch (InterruptedException e) {
      // stopped
    }
  }

  /**
   * One episode on an open socket; false if the socket should be dropped (a reply did not come).
   */
  private boolean episode(ChatClient c, Random jitter, int line) throws Exception {
    JsonNode welcome = reply(c, "begin");
    if (welcome == null) {
      return false;
    }
    String kind = LoadRun.errorKind(welcome);
    String id = welcome.at("/payload/conversation_id").asText(null);
    if (kind != null || id == null) {
      count(kind != null ? "begin_" + kind : "begin_without_conversation_id");
      think(jitter);
      return true;
    }
    if (welcome.at("/payload/variant").isTextual()) {
      acks.assignment(
          id, welcome.at("/payload/experiment").asText(), welcome.at("/payload/variant").asText());
    }
    int ok = 0;
    for (int t = 0; t < turns && !stopped; t++) {
      long sent = System.nanoTime();
      JsonNode r = reply(c, texts.get(Math.floorMod(line + t, texts.size())));
      if (r == null) {
        return false;
      }
      kind = LoadRun.errorKind(r);
      if (kind != null) {
        count(kind);
      } else {
        latenciesMillis.add((System.nanoTime() - sent) / 1e6);
        ok++;
        answered.incrementAndGet();
        if (ok == 1 && !feedback(c, id, Map.of("thumbs", "up", "turn", 1), "thumbs")) {
          return false;
        }
      }
      think(jitter);
    }
    if (stopped) {
      return false;
    }
    JsonNode done = reply(c, "[DONE]");
    if (done == null) {
      return false;
    }
    if (done.at("/payload/episode_done").asBoolean(false)
        && id.equals(done.at("/payload/conversation_id").asText())) {
      if (ok > 0) { // an episode with no answered turn is not logged (nothing to log)
        acks.episode(id, ok);
      }
    } else {
      count(
          "not_acknowledged_done_"
              + (LoadRun.errorKind(done) == null ? "other" : LoadRun.errorKind(done)));
    }
    return ok == 0 || feedback(c, id, Map.of("rating", 1 + Math.floorMod(line, 5)), "rating");
  }

  /** Sends feedback; records it if the server answered "recorded"; false if no reply came. */
  private boolean feedback(ChatClient c, String id, Map<String, Object> what, String kind)
      throws Exception {
    JsonNode r = c.ask(Map.of("feedback", what), REPLY_WAIT);
    if (r == null) {
      count("no_reply");
      return false;
    }
    if ("recorded".equals(r.at("/payload/feedback").asText())
        && r.at("/payload/feedback_id").isValueNode()) {
      acks.feedback(id, r.at("/payload/feedback_id").asText(), kind);
    } else {
      String k = LoadRun.errorKind(r);
      count("not_acknowledged_feedback_" + (k == null ? "other" : k));
    }
    return true;
  }

  private JsonNode reply(ChatClient c, String text) throws Exception {
    JsonNode r = c.ask(text, REPLY_WAIT);
    if (r == null) {
      count("no_reply");
    }
    return r;
  }

  private void think(Random jitter) throws InterruptedException {
    if (thinkMillis > 0) {
      Thread.sleep((long) (thinkMillis * (0.5 + jitter.nextDouble())));
    }
  }
}
