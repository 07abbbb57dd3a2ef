package io.adahit.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * The server's own meters, with bounded tags only (skill, transport, error kind; never a
 * conversation id). JVM, gRPC and Netty meters come from Micrometer's binders, registered by {@link
 * io.adahit.server.DialogueServer}.
 *
 * <ul>
 *   <li>{@code adahit.turns} counter {skill, transport}: turns answered
 *   <li>{@code adahit.turn.latency} timer {skill, transport}: from receipt to reply, with histogram
 *   <li>{@code adahit.scoring.time} timer {skill}: scoring a batch segment against the skill's pool
 *   <li>{@code adahit.batch.time} timer: one forward pass of a (mixed) batch
 *   <li>{@code adahit.batch.size} summary: turns per forward pass
 *   <li>{@code adahit.queue.depth} gauge, {@code adahit.conversations.open} gauge, {@code
 *       adahit.websocket.connections} gauge, {@code adahit.http.connections} gauge (every
 *       connection, from accept)
 *   <li>{@code adahit.rank.pieces}, {@code adahit.rank.abandoned} counters: Rank work done in
 *       pieces, and calls dropped because their caller had gone
 *   <li>{@code adahit.errors} counter {kind}: one of {@link #ERROR_KINDS}, every one registered at
 *       0 when the server starts so that {@code rate()} and {@code increase()} work from the first
 *       error: WebSocket messages refused (bad_frame, bad_json, missing_text, too_long,
 *       too_many_pending, bad_feedback, bad_conversation_id, frame_too_large), turns refused for a
 *       full queue (overloaded), connections and conversations refused (too_many_connections,
 *       too_many_conversations), handshake_timeout, idle_timeout (a WebSocket closed for silence),
 *       conversation_idle (a conversation expired), assignment_not_stored (a chat served outside
 *       its experiment)
 * </ul>
 */
public final class ServerMetrics {

  private static final Duration[] SLOS = LatencySlos.from(Duration.ofMillis(10));

  /**
   * Every {@code kind} tag {@link #error} is called with; each series exists from the start, at 0.
   */
  public static final List<String> ERROR_KINDS =
      List.of(
          "bad_frame",
          "bad_json",
          "missing_text",
          "too_long",
          "too_many_pending",
          "bad_feedback",
          "bad_conversation_id",
          "frame_too_large",
          "overloaded",
          "too_many_connections",
          "too_many_conversations",
          "handshake_timeout",
          "idle_timeout",
          "conversation_idle",
          "assignment_not_stored");

  private final MeterRegistry registry;
  private final DistributionSummary batchSize;
  private final Timer batchTime;

  public ServerMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.batchSize =
        DistributionSummary.builder("adahit.batch.size")
            .description("turns per forward pass")
            .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64)
            .register(registry);
    this.batchTime =
        Timer.builder("adahit.batch.time")
            .description("one forward pass of a (mixed-skill) batch")
            .serviceLevelObjectives(SLOS)
            .register(registry);
    ERROR_KINDS.forEach(this::errorCounter);
  }

  public MeterRegistry registry() {
    return registry;
  }

  public void turn(String skill, String transport, long nanos) {
    Counter.builder("adahit.turns")
        .description("turns answered")
        .tags("skill", skill, "transport", transport)
        .register(registry)
        .increment();
    Timer.builder("adahit.turn.latency")
        .description("from a turn's receipt to its reply")
        .tags("skill", skill, "transport", transport)
        .serviceLevelObjectives(SLOS)
        .publishPercentileHistogram(false)
        .register(registry)
        .record(Duration.ofNanos(nanos));
  }

  public void scoring(String skill, long nanos) {
    Timer.builder("adahit.scoring.time")
        .description("scoring a batch segment against the skill's candidates")
        .tags("skill", skill)
        .register(registry)
        .record(Duration.ofNanos(nanos));
  }

  public void batch(int size, long nanos) {
    batchSize.record(size);
    batchTime.record(Duration.ofNanos(nanos));
  }

  /** One piece of a Rank call (its context, or a chunk of its candidates) was encoded. */
  public void rankPiece() {
    Counter.builder("adahit.rank.pieces")
        .description("pieces of Rank work encoded (context or a candidate chunk)")
        .register(registry)
        .increment();
  }

  /**
   * A Rank call was dropped before its work was done: its caller cancelled or its deadline passed.
   */
  public void rankAbandoned() {
    Counter.builder("adahit.rank.abandoned")
        .description("Rank calls dropped because their caller had gone")
        .register(registry)
        .increment();
  }

  /** Counts one refusal or failure of {@code kind} (one of {@link #ERROR_KINDS}). */
  public void error(String kind) {
    errorCounter(kind).increment();
  }

  private Counter errorCounter(String kind) {
    return Counter.builder("adahit.errors")
        .description("requests refused or failed, by kind")
        .tag("kind", kind)
        .register(registry);
  }

  /**
   * Registers a gauge read from {@code value}. Micrometer holds a supplier gauge strongly ({@code
   * Gauge.builder(String, Supplier)} sets {@code strongReference(true)}), so the supplier and
   * whatever it captures stay alive as long as the registry.
   */
  public void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).register(registry);
  }
}
