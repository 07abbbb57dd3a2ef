package io.adahit.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnswerNormalizerTest {

  // Expected values computed with ParlAI's normalize_answer (parlai/core/metrics.py).
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "The cat's  hat!|cat s hat",
        "An apple, a day|apple day",
        "I'm A-OK; the_end|i m ok end",
        "théa aé an|théa aé",
        "Banana and THE anthem|banana and anthem",
        "a.b.c|b c",
        "snake_case_a_name|snake case name",
        "Ünïcode ÄN Ärger|ünïcode än ärger",
        "{[a]} (the) <an>|''",
      })
  void matchesParlai(String input, String expected) {
    assertThat(AnswerNormalizer.normalize(input)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({
    "'  \u00a0Hello\u3000World\u2009! ', hello world",
    "'tab\tand\nnewline', tab and newline"
  })
  void collapsesPythonWhitespaceIncludingNoBreakSpaces(String input, String expected) {
    assertThat(AnswerNormalizer.normalize(input)).isEqualTo(expected);
  }
}
