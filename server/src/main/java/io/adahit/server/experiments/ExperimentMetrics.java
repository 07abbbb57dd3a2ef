package io.adahit.server.experiments;

import io.adahit.server.metrics.LatencySlos;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * Per-variant meters of A/B experiments, tagged {experiment, variant} only (both come from the
 * config or the admin API, at most {@value Experiment#MAX_VARIANTS} variants each, so the tag
 * values are bounded; never a conversation id). In Prometheus:
 *
 * <ul>
 *   <li>{@code adahit_ab_conversations_total}: conversations assigned
 *   <li>{@code adahit_ab_turns_total}, {@code adahit_ab_turn_latency_seconds}: turns answered,
 *       receipt to reply
 *   <li>{@code adahit_ab_episode_length}: exchanges per finished episode
 *   <li>{@code adahit_ab_rating}: ratings 1-5 (count, sum: the mean)
 *   <li>{@code adahit_ab_thumbs_total{thumbs="up"|"down"}}
 * </ul>
 *
 * <pre>{@code
 * ExperimentMetrics m = new ExperimentMetrics(registry);
 * m.turn(assignment, System.nanoTime() - received);
 * }</pre>
 */
public final class ExperimentMetrics {

  private static final Duration[] SLOS = LatencySlos.from(Duration.ofMillis(25));

  private final MeterRegistry registry;

  public ExperimentMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public void conversation(Assignment a) {
    Counter.builder("adahit.ab.conversations")
        .description("conversations assigned to an experiment variant")
        .tags("experiment", a.experiment(), "variant", a.variant())
        .register(registry)
        .increment();
  }

  public void turn(Assignment a, long nanos) {
    Counter.builder("adahit.ab.turns")
        .description("turns answered by an experiment variant")
        .tags("experiment", a.experiment(), "variant", a.variant())
        .register(registry)
        .increment();
    Timer.builder("adahit.ab.turn.latency")
        .description("from a turn's receipt to its reply, per variant")
        .tags("experiment", a.experiment(), "variant", a.variant())
        .serviceLevelObjectives(SLOS)
        .register(registry)
        .record(Duration.ofNanos(nanos));
  }

  public void episode(Assignment a, int turns) {
    DistributionSummary.builder("adahit.ab.episode.length")
        .description("exchanges per finished episode, per variant")
        .tags("experiment", a.experiment(), "variant", a.variant())
        .serviceLevelObjectives(1, 2, 4, 8, 16, 32)
        .register(registry)
        .record(turns);
  }

  public void rating(Assignment a, int rating) {
    DistributionSummary.builder("adahit.ab.rating")
        .description("client ratings 1-5, per variant")
        .tags("experiment", a.experiment(), "variant", a.variant())
        .register(registry)
        .record(rating);
  }

  public void thumbs(Assignment a, boolean up) {
    Counter.builder("adahit.ab.thumbs")
        .description("client thumbs up/down, per variant")
        .tags("experiment", a.experiment(), "variant", a.variant(), "thumbs", up ? "up" : "down")
        .register(registry)
        .increment();
  }
}
