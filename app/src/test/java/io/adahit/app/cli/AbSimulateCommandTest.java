package io.adahit.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The simulated user's scoring: ParlAI's unigram F1 and the user side of a teacher's turn. */
class AbSimulateCommandTest {

  @Test
  void f1IsParlaisUnigramF1AfterNormalisation() {
    // "the" is dropped by the normalisation: guess {hello, there, friend}, gold {hello, friend}: p
    // 2/3, r 1 -> 0.8
    assertThat(AbSimulateCommand.f1("Hello there, friend!", "hello the friend"))
        .isCloseTo(0.8, within(1e-12));
    assertThat(AbSimulateCommand.f1("a b", "c d")).isZero();
    assertThat(AbSimulateCommand.f1("", "hello")).isZero();
    // repeated words count once per occurrence in the gold
    assertThat(AbSimulateCommand.f1("yes yes yes", "yes no"))
        .isCloseTo(2 * (1 / 3.0) * 0.5 / (1 / 3.0 + 0.5), within(1e-12));
  }

  @Test
  void theUserSaysTheTurnWithoutThePersonaLines() {
    assertThat(
            AbSimulateCommand.userText(
                "your persona: i like ski.\nyour persona: i have a cat.\nhi , how are you ?"))
        .isEqualTo("hi , how are you ?");
    assertThat(AbSimulateCommand.userText("i am fine.")).isEqualTo("i am fine.");
  }
}
