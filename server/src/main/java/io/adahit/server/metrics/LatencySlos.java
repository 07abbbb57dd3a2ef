package io.adahit.server.metrics;

import java.time.Duration;
import java.util.Arrays;

/**
 * The latency histogram buckets (service level objectives) of the server's timers, 10 ms to 2 s;
 * each timer publishes those from its own lowest one on.
 */
public final class LatencySlos {

  private static final Duration[] ALL = {
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(150),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(2)
  };

  private LatencySlos() {}

  /** The buckets from {@code lowest} up (a new array). */
  public static Duration[] from(Duration lowest) {
    return Arrays.stream(ALL).filter(d -> d.compareTo(lowest) >= 0).toArray(Duration[]::new);
  }
}
