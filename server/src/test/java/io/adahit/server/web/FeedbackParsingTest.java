package io.adahit.server.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.server.ServerState;
import io.adahit.server.chat.BadRequestException;
import io.adahit.server.experiments.Feedback;
import io.adahit.server.metrics.ServerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The WebSocket {@code feedback} payload: numbers are checked as JSON numbers, before any
 * conversion to int.
 */
class FeedbackParsingTest {

  private final WebSocketChatHandler handler =
      new WebSocketChatHandler(
          new ObjectMapper(),
          new ServerState(),
          new ServerMetrics(new SimpleMeterRegistry()),
          new AtomicInteger(),
          1,
          1);

  @ParameterizedTest
  @ValueSource(
      strings = {
        "4294967297",
        "-4294967291",
        "9223372036854775807",
        "18446744073709551617",
        "0",
        "6",
        "4.5",
        "\"4\""
      })
  void aRatingThatIsNotAnIntegerFrom1To5IsRefusedWhateverItsSize(String rating) {
    assertThatThrownBy(() -> handler.parse("{\"feedback\": {\"rating\": " + rating + "}}"))
        .isInstanceOfSatisfying(
            BadRequestException.class, e -> assertThat(e.kind()).isEqualTo("bad_feedback"))
        .hasMessageContaining("feedback \"rating\" must be an integer 1-5, found " + rating);
  }

  @ParameterizedTest
  @ValueSource(strings = {"4294967297", "0", "100001", "-1"})
  void aTurnOutOfRangeIsRefusedWhateverItsSize(String turn) {
    assertThatThrownBy(
            () -> handler.parse("{\"feedback\": {\"thumbs\": \"up\", \"turn\": " + turn + "}}"))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining(
            "feedback \"turn\" must be an integer 1-" + Feedback.MAX_TURN + ", found " + turn);
  }

  @Test
  void aValidRatingAndTurnAreKept() {
    assertThat(handler.parse("{\"feedback\": {\"rating\": 5, \"turn\": 2}}").feedback())
        .isEqualTo(new Feedback(5, null, 2));
    assertThat(handler.parse("{\"feedback\": {\"thumbs\": \"down\"}}").feedback())
        .isEqualTo(new Feedback(null, false, null));
  }
}
