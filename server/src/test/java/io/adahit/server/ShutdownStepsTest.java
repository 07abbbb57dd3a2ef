package io.adahit.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** One deadline for the whole shutdown; one failing part does not stop the others. */
class ShutdownStepsTest {

  @Test
  void aStepThatThrowsDoesNotStopTheNextOnes() {
    ShutdownSteps steps =
        new ShutdownSteps(Duration.ofSeconds(5), LoggerFactory.getLogger(ShutdownStepsTest.class));
    List<String> ran = new ArrayList<>();
    steps.run(
        "close the log",
        () -> {
          ran.add("log");
          throw new UncheckedIOException(new IOException("Input length = 1"));
        });
    steps.run("close sockets", () -> ran.add("sockets"));
    steps.run("close the event store", () -> ran.add("events"));
    assertThat(ran).containsExactly("log", "sockets", "events");
    assertThat(steps.failed()).isEqualTo(1);
  }

  @Test
  void everyWaitIsBoundedByWhatIsLeftOfTheGrace() throws InterruptedException {
    ShutdownSteps steps =
        new ShutdownSteps(Duration.ofSeconds(3), LoggerFactory.getLogger(ShutdownStepsTest.class));
    Duration left = steps.remaining();
    Duration beforeReserve = steps.remaining(Duration.ofSeconds(1));
    Duration capped = steps.atMost(Duration.ofMillis(50));
    assertThat(left)
        .isLessThanOrEqualTo(Duration.ofSeconds(3))
        .isGreaterThan(Duration.ofSeconds(2));
    assertThat(beforeReserve).isLessThanOrEqualTo(Duration.ofSeconds(2));
    assertThat(capped).isEqualTo(Duration.ofMillis(50));
    Thread.sleep(3100);
    assertThat(steps.remaining()).isZero();
    assertThat(steps.remaining(Duration.ofMillis(100))).isZero();
    assertThat(steps.atMost(Duration.ofSeconds(2))).isZero();
    assertThat(steps.deadline(Duration.ZERO)).isLessThan(System.nanoTime());
  }
}
