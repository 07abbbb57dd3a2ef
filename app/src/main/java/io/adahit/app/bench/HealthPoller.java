package io.adahit.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Polls a server's {@code /health} once a second during a load run and counts what it said: HTTP
 * status, {@code ready}, {@code accepting_conversations} (with the {@code refusing} reasons seen),
 * failed polls, the slowest answer, and the peaks of {@code connections} and {@code
 * open_conversations}. The benchmark prints these beside the chat figures, so a report shows
 * whether readiness told the truth while the chats were served or refused.
 *
 * <pre>{@code
 * try (HealthPoller h = HealthPoller.start("http://127.0.0.1:35496/health", Duration.ofSeconds(1))) {
 *   ... run the load ...
 *   Map<String, Object> counts = h.counts();   // polls, ready, accepting_conversations, ...
 * }
 * }</pre>
 */
public final class HealthPoller implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration POLL_TIMEOUT = Duration.ofSeconds(5);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(POLL_TIMEOUT).build();
  private final URI uri;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "bench-health");
            t.setDaemon(true);
            return t;
          });
  private final Tally tally = new Tally();

  private HealthPoller(URI uri) {
    this.uri = uri;
  }

  /** Starts polling {@code url} every {@code period} (the first poll at once). */
  public static HealthPoller start(String url, Duration period) {
    HealthPoller p = new HealthPoller(URI.create(url));
    p.timer.scheduleWithFixedDelay(p::poll, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    return p;
  }

  private void poll() {
    long t0 = System.nanoTime();
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(uri).timeout(POLL_TIMEOUT).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      tally.answered(r.statusCode(), r.body(), (System.nanoTime() - t0) / 1e6);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      tally.failed(e.getClass().getSimpleName());
    }
  }

  /** Consecutive polls that failed (no HTTP answer) up to now: a server that is gone. */
  public int consecutiveFailures() {
    return tally.consecutiveFailures();
  }

  /** What the polls so far said. */
  public Map<String, Object> counts() {
    return tally.counts();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(POLL_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The counts, apart from the polling so that they can be checked on given answers. */
  static final class Tally {
    private int polls;
    private int failed;
    private int consecutiveFailures;
    private final Map<String, Integer> failures = new TreeMap<>();
    private final Map<String, Integer> statuses = new TreeMap<>();
    private int ready;
    private int notReady;
    private int accepting;
    private int refusing;
    private final Map<String, Integer> refusingReasons = new TreeMap<>();
    private double slowestMillis;
    private int peakConnections = -1;
    private int peakOpenConversations = -1;

    synchronized void answered(int status, String body, double millis) {
      polls++;
      consecutiveFailures = 0;
      statuses.merge(Integer.toString(status), 1, Integer::sum);
      slowestMillis = Math.max(slowestMillis, millis);
      JsonNode n;
      try {
        n = JSON.readTree(body);
      } catch (Exception e) {
        failures.merge("unparsable_body", 1, Integer::sum);
        return;
      }
      if (n.path("ready").asBoolean(false)) {
        ready++;
      } else {
        notReady++;
      }
      if (n.has("accepting_conversations")) {
        if (n.get("accepting_conversations").asBoolean()) {
          accepting++;
        } else {
          refusing++;
          // the reason without its changing figures, so that the tally stays small
          String why = n.path("refusing").asText("(no reason given)").replaceAll("[0-9]+", "N");
          refusingReasons.merge(why, 1, Integer::sum);
        }
      }
      peakConnections = Math.max(peakConnections, n.path("connections").asInt(-1));
      peakOpenConversations =
          Math.max(peakOpenConversations, n.path("open_conversations").asInt(-1));
    }

    synchronized void failed(String why) {
      polls++;
      failed++;
      consecutiveFailures++;
      failures.merge(why, 1, Integer::sum);
    }

    synchronized int consecutiveFailures() {
      return consecutiveFailures;
    }

    synchronized Map<String, Object> counts() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("polls", polls);
      m.put("http_status", new TreeMap<>(statuses));
      m.put("failed", failed);
      if (!failures.isEmpty()) {
        m.put("failures", new TreeMap<>(failures));
      }
      m.put("ready", ready);
      m.put("not_ready", notReady);
      m.put("accepting_conversations", accepting);
      m.put("refusing_conversations", refusing);
      if (!refusingReasons.isEmpty()) {
        m.put("refusing_reasons", new TreeMap<>(refusingReasons));
      }
      m.put("slowest_ms", Math.round(slowestMillis * 10) / 10.0);
      m.put("peak_connections", peakConnections);
      m.put("peak_open_conversations", peakOpenConversations);
      return m;
    }
  }
}
