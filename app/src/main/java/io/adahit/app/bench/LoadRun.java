package io.adahit.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.adahit.server.web.ChatClient;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;

/**
 * A closed-loop WebSocket load: N conversations at once, each a real ParlAI chat-service client
 * (onboarding, then turns, each sent when the previous reply arrived plus a think time), bounded by
 * a turn count and a deadline. Measures per-turn latency at the client.
 *
 * <p>With a think time T, users behave like people, not like a metronome: each conversation starts
 * at a random offset in [0, T) and each pause is drawn uniformly from [T/2, 3T/2] (seeded per
 * conversation), so turns arrive spread out instead of in synchronised bursts of N. With T = 0
 * every conversation sends its next turn as soon as its reply arrives (back to back).
 *
 * <pre>{@code
 * LoadRun.Result r = new LoadRun(url, List.of("base"), 64, 10, 0, utterances).run(120_000);   // deadline in ms
 * }</pre>
 */
public final class LoadRun {

  /**
   * What a run measured.
   *
   * @param turns turns answered
   * @param errors replies that were errors (overloaded...) or missing
   * @param seconds wall time from the first turn to the last reply
   * @param latenciesMillis every answered turn's latency, sorted
   * @param sent turns sent (answered, refused or unanswered)
   * @param errorKinds the errors by kind: the server's {@code error} tag for a refusal ({@code
   *     overloaded}, {@code too_many_conversations}...), {@code no_reply} for a turn not answered
   *     within 60 s, {@code connect_failed} / {@code connection_lost} for a socket that could not
   *     be opened or broke, {@code onboarding_no_reply} for a menu or welcome not answered
   */
  public record Result(
      int conversations,
      int turns,
      int errors,
      double seconds,
      double[] latenciesMillis,
      int sent,
      Map<String, Integer> errorKinds) {

    public double turnsPerSecond() {
      return seconds == 0 ? 0 : turns / seconds;
    }

    /**
     * Nearest-rank percentile of the latencies in ms (the value of rank {@code ceil(p/100 · n)}:
     * Commons Math's {@link Percentile.EstimationType#R_1}); NaN when nothing was answered.
     *
     * @param p in (0, 100]
     */
    public double percentile(double p) {
      return new Percentile()
          .withEstimationType(Percentile.EstimationType.R_1)
          .evaluate(latenciesMillis, p);
    }
  }

  private static final Duration REPLY_WAIT = Duration.ofSeconds(60);

  private final String url;
  private final List<String> skills;
  private final int conversations;
  private final int turns;
  private final long thinkMillis;
  private final List<String> utterances;

  /**
   * @param skills conversation i uses {@code skills.get(i % skills.size())}
   * @param utterances what the simulated users say, in rotation
   */
  public LoadRun(
      String url,
      List<String> skills,
      int conversations,
      int turns,
      long thinkMillis,
      List<String> utterances) {
    this.url = url;
    this.skills = List.copyOf(skills);
    this.conversations = conversations;
    this.turns = turns;
    this.thinkMillis = thinkMillis;
    this.utterances = List.copyOf(utterances);
  }

  public Result run(long deadlineMillis) throws InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlineMillis);
    List<double[]> perConversation = new ArrayList<>();
    Errors errors = new Errors();
    AtomicInteger sent = new AtomicInteger();
    CountDownLatch ready = new CountDownLatch(conversations);
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < conversations; i++) {
      int id = i;
      double[] lat = new double[turns];
      Arrays.fill(lat, -1);
      perConversation.add(lat);
      Thread t =
          new Thread(
              () -> converse(http, id, lat, errors, sent, ready, go, deadline),
              "bench-conversation-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    ready.await(Math.max(1, deadlineMillis), TimeUnit.MILLISECONDS);
    long start = System.nanoTime();
    go.countDown();
    for (Thread t : threads) {
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 5_000));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double[] all =
        perConversation.stream()
            .flatMapToDouble(Arrays::stream)
            .filter(x -> x >= 0)
            .sorted()
            .toArray();
    return new Result(
        conversations,
        all.length,
        errors.total.get(),
        seconds,
        all,
        sent.get(),
        new TreeMap<>(errors.kinds));
  }

  /** Errors counted by kind. */
  private static final class Errors {
    final AtomicInteger total = new AtomicInteger();
    final Map<String, Integer> kinds = new ConcurrentHashMap<>();

    void add(String kind) {
      total.incrementAndGet();
      kinds.merge(kind, 1, Integer::sum);
    }
  }

  /**
   * The kind of error a reply is: null for an answer, {@code no_reply} when there was none, else
   * the server's {@code payload.error} tag.
   */
  static String errorKind(JsonNode reply) {
    if (reply == null) {
      return "no_reply";
    }
    JsonNode tag = reply.at("/payload/error");
    return tag.isTextual() ? tag.asText() : null;
  }

  private void converse(
      HttpClient http,
      int id,
      double[] lat,
      Errors errors,
      AtomicInteger sent,
      CountDownLatch ready,
      CountDownLatch go,
      long deadline) {
    ChatClient c = null;
    try {
      c = ChatClient.connect(http, url, Duration.ofSeconds(30));
    } catch (Exception e) {
      errors.add("connect_failed");
      ready.countDown();
      return;
    }
    try {
      JsonNode menu = c.ask("hi", REPLY_WAIT);
      JsonNode welcome = menu == null ? null : c.ask(skills.get(id % skills.size()), REPLY_WAIT);
      String kind = errorKind(welcome);
      if (kind != null || !welcome.has("payload")) {
        errors.add(
            kind == null ? "bad_welcome" : "no_reply".equals(kind) ? "onboarding_no_reply" : kind);
        c.close();
        return;
      }
    } catch (Exception e) {
      errors.add("connection_lost");
      c.close();
      return;
    } finally {
      ready.countDown();
    }
    try {
      go.await();
      Random jitter = new Random(7919L * id + 1);
      if (thinkMillis > 0) {
        Thread.sleep((long) (jitter.nextDouble() * thinkMillis)); // staggered starts
      }
      for (int t = 0; t < turns && System.nanoTime() < deadline; t++) {
        String text = utterances.get((id * 7 + t) % utterances.size());
        long t0 = System.nanoTime();
        sent.incrementAndGet();
        JsonNode r = c.ask(text, REPLY_WAIT);
        String kind = errorKind(r);
        if (kind != null) {
          errors.add(kind);
        } else {
          lat[t] = (System.nanoTime() - t0) / 1e6;
        }
        if (thinkMillis > 0) {
          Thread.sleep((long) (thinkMillis * (0.5 + jitter.nextDouble()))); // mean thinkMillis
        }
      }
      c.ask("[DONE]", REPLY_WAIT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      errors.add("connection_lost");
    } finally {
      c.close();
    }
  }
}
