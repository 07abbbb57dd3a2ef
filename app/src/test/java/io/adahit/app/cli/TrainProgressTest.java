package io.adahit.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.adahit.agents.training.BiEncoderTrainer;
import io.adahit.server.progress.PlainProgress;
import io.adahit.server.progress.ProgressMode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** train's progress in both modes: a bar on a terminal, whole timestamped lines in logs. */
class TrainProgressTest {

  private static final class Clock implements InstantSource {
    Instant now = Instant.parse("2026-12-04T19:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void plainModeShowsTheWholeLearningRateAndTimestampsEveryLine() {
    Clock clock = new Clock();
    List<String> lines = new ArrayList<>();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(err, true, StandardCharsets.UTF_8);
    try (TrainProgress p =
        new TrainProgress(
            100,
            ps,
            ProgressMode.PLAIN,
            label ->
                new ProgressReporter(
                    new PlainProgress(
                        label, 100, "steps", lines::add, Duration.ofSeconds(10), clock, false)),
            clock)) {
      for (int step = 1; step <= 30; step++) { // step k at k - 1 seconds
        p.onStep(
            new BiEncoderTrainer.StepReport(
                step, 100, "wizard_of_wikipedia", 1.2344, 8.0e-4, 0.1, 512.4));
        clock.now = clock.now.plusSeconds(1);
      }
      p.onValidation(30, Map.of("wizard_of_wikipedia", 0.5));
    }
    assertThat(lines).hasSize(4); // start, 10 s, 20 s, last
    assertThat(lines.get(1))
        .isEqualTo(
            "2026-12-04T19:00:10Z train: 11/100 steps (11.0%), 1.10 steps/s, elapsed 10s,"
                + " ETA 1m20s | wizard_of_wikipedia loss 1.234 lr 8.00e-04 512 pairs/s");
    assertThat(lines.get(3))
        .startsWith("2026-12-04T19:00:30Z train: 30/100 steps (30.0%)")
        .contains(", done | ");
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "2026-12-04T19:00:30Z train: step 30: validation hits@1 {wizard_of_wikipedia=0.5}\n");
  }

  @Test
  void plainReporterWritesNoCarriageReturnsOrColours() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (ProgressReporter r =
        new ProgressReporter(
            "convai2",
            64,
            "texts",
            new PrintStream(err, true, StandardCharsets.UTF_8),
            ProgressMode.PLAIN)) {
      r.message("m".repeat(150));
      r.advance(64);
    }
    String out = err.toString(StandardCharsets.UTF_8);
    assertThat(out).doesNotContain("\r").doesNotContain("\u001b");
    assertThat(out.lines().toList())
        .hasSize(2)
        .allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ convai2: .*"));
    assertThat(out.lines().toList().get(1))
        .contains("64/64 texts (100.0%)")
        .contains(", done | " + "m".repeat(150));
  }

  @Test
  void barModeRedrawsInPlace() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (ProgressReporter r =
        new ProgressReporter(
            "convai2",
            64,
            "texts",
            new PrintStream(err, true, StandardCharsets.UTF_8),
            ProgressMode.BAR)) {
      r.advance(64);
    }
    String out = err.toString(StandardCharsets.UTF_8);
    assertThat(out).contains("\r").contains("convai2").contains("64/64");
  }
}
