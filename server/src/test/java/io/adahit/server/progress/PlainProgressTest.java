package io.adahit.server.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlainProgressTest {

  /** A clock the test moves by hand. */
  static final class FakeClock implements InstantSource {
    Instant now = Instant.parse("2026-12-04T19:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }
  }

  @Test
  void printsTimestampedUntruncatedLinesAtTheIntervalAndAtTheEnd() {
    FakeClock clock = new FakeClock();
    List<String> lines = new ArrayList<>();
    String longMessage = "convai2 loss 1.234 lr 8.00e-04 512 pairs/s " + "x".repeat(200);
    try (PlainProgress p =
        new PlainProgress(
            "train", 100, "steps", lines::add, Duration.ofSeconds(10), clock, false)) {
      p.message(longMessage);
      for (int i = 0; i < 50; i++) {
        clock.advance(Duration.ofSeconds(1));
        p.stepBy(1);
      }
    }
    // start, one line per 10 s of progress (at 10, 20, 30, 40, 50 s), the last line
    assertThat(lines).hasSize(7);
    assertThat(lines.get(0)).isEqualTo("2026-12-04T19:00:00Z train: started, 100 steps");
    assertThat(lines.get(1))
        .isEqualTo(
            "2026-12-04T19:00:10Z train: 10/100 steps (10.0%), 1.00 steps/s, elapsed 10s,"
                + " ETA 1m30s | "
                + longMessage);
    assertThat(lines.get(6))
        .startsWith(
            "2026-12-04T19:00:50Z train: 50/100 steps (50.0%), 1.00 steps/s, elapsed 50s, done | ")
        .endsWith("x".repeat(200));
    assertThat(String.join("\n", lines)).doesNotContain("\r").doesNotContain("\u001b");
  }

  @Test
  void theTimerPrintsWhileNothingMovesAndStopsAtClose() throws Exception {
    List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
    PlainProgress p =
        new PlainProgress(
            "encode", 0, "texts", lines::add, Duration.ofMillis(50), InstantSource.system(), true);
    Thread.sleep(400);
    p.close();
    int atClose = lines.size();
    Thread.sleep(200);
    assertThat(atClose).isGreaterThanOrEqualTo(4); // start, >= 2 timer lines, the last
    assertThat(lines).hasSize(atClose);
    assertThat(lines.get(1))
        .contains("encode: 0 texts, 0.00 texts/s")
        .doesNotContain("ETA")
        .doesNotContain("%");
    assertThat(lines.get(atClose - 1)).contains(", done");
  }

  @Test
  void aResumedRunsJumpIsNotCountedInTheRate() {
    FakeClock clock = new FakeClock();
    List<String> lines = new ArrayList<>();
    PlainProgress p =
        new PlainProgress("train", 1000, "steps", lines::add, Duration.ofSeconds(10), clock, false);
    p.stepTo(900);
    clock.advance(Duration.ofSeconds(10));
    p.stepBy(20);
    assertThat(lines.get(1)).contains("920/1000 steps (92.0%), 2.00 steps/s").contains("ETA 40s");
  }

  @Test
  void modeIsPlainWithoutAConsoleOrOnADumbTerminal() {
    assertThat(ProgressMode.detect(false, Map.of("TERM", "xterm-256color")))
        .isEqualTo(ProgressMode.PLAIN);
    assertThat(ProgressMode.detect(true, Map.of("TERM", "dumb"))).isEqualTo(ProgressMode.PLAIN);
    assertThat(ProgressMode.detect(true, Map.of())).isEqualTo(ProgressMode.PLAIN);
    assertThat(ProgressMode.detect(true, Map.of("TERM", "xterm-256color")))
        .isEqualTo(ProgressMode.BAR);
    assertThat(ProgressMode.detect(false, Map.of("ADAHIT_PROGRESS", "bar")))
        .isEqualTo(ProgressMode.BAR);
    assertThat(ProgressMode.detect(true, Map.of("TERM", "xterm", "ADAHIT_PROGRESS", "plain")))
        .isEqualTo(ProgressMode.PLAIN);
    assertThatThrownBy(() -> ProgressMode.detect(true, Map.of("ADAHIT_PROGRESS", "fancy")))
        .hasMessageContaining("ADAHIT_PROGRESS must be bar or plain, found 'fancy'");
  }
}
