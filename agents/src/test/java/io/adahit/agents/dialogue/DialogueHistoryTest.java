package io.adahit.agents.dialogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DialogueHistoryTest {

  @Test
  void joinsPartnerTurnsAndRepliesWithNewlines() {
    DialogueHistory h = DialogueHistory.unbounded();
    h.observe("your persona: i like to ski.\nhi!");
    assertThat(h.context()).isEqualTo("your persona: i like to ski.\nhi!");
    h.addReply("hello!");
    h.observe("do you ski?");
    assertThat(h.context()).isEqualTo("your persona: i like to ski.\nhi!\nhello!\ndo you ski?");
    assertThat(h.turns()).isEqualTo(3);
    h.reset();
    assertThat(h.context()).isEmpty();
  }

  @Test
  void boundedHistoryKeepsTheLatestTurns() {
    DialogueHistory h = new DialogueHistory(2, " | ");
    h.observe("a");
    h.addReply("b");
    h.observe("c");
    assertThat(h.context()).isEqualTo("b | c");
  }

  @Test
  void badSizeIsNamed() {
    assertThatThrownBy(() -> new DialogueHistory(0, "\n")).hasMessageContaining("found 0");
  }
}
