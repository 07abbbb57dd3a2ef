package io.adahit.agents.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BackboneTokenizerTest {

  private static BackboneTokenizer tok;

  @BeforeAll
  static void load() throws Exception {
    tok =
        BackboneTokenizer.fromJson(
            Backbone.resource(Backbone.DEFAULT_TOKENIZER_RESOURCE), "minilm");
  }

  @AfterAll
  static void close() {
    tok.close();
  }

  @Test
  void knownIdsOfAPersonaLine() {
    assertThat(tok.ids("your persona: i like to ski."))
        .containsExactly(101, 2115, 16115, 1024, 1045, 2066, 2000, 8301, 1012, 102);
    assertThat(tok.clsId()).isEqualTo(101);
    assertThat(tok.sepId()).isEqualTo(102);
    assertThat(tok.padId()).isZero();
  }

  @Test
  void batchIsPaddedToTheLongestRowWithAMask() {
    TokenBatch b =
        tok.encode(List.of("your persona: i like to ski.", "hi"), 256, Truncation.KEEP_START);
    assertThat(b.batchSize()).isEqualTo(2);
    assertThat(b.seqLen()).isEqualTo(10);
    assertThat(b.lengths()).containsExactly(10, 3);
    assertThat(b.row(1)).containsExactly(101, 7632, 102);
    assertThat(Arrays.copyOfRange(b.ids(), 10, 20))
        .containsExactly(101, 7632, 102, 0, 0, 0, 0, 0, 0, 0);
    assertThat(Arrays.copyOfRange(b.attentionMask(), 10, 20))
        .containsExactly(1, 1, 1, 0, 0, 0, 0, 0, 0, 0);
  }

  @Test
  void longTextIsTruncatedFromTheChosenSideKeepingSpecialTokens() {
    String text = "your persona: i like to ski.";
    long[] start = tok.encode(List.of(text), 5, Truncation.KEEP_START).row(0);
    long[] end = tok.encode(List.of(text), 5, Truncation.KEEP_END).row(0);
    assertThat(start).containsExactly(101, 2115, 16115, 1024, 102);
    assertThat(end).containsExactly(101, 2000, 8301, 1012, 102);
  }

  @Test
  void theEmbeddedTokenizerJsonDoesNotSilentlyCapAt128() {
    String text = "word ".repeat(300);
    assertThat(tok.encode(List.of(text), 256, Truncation.KEEP_START).seqLen()).isEqualTo(256);
    assertThat(tok.ids(text)).hasSize(302);
  }

  @Test
  void badArgumentsAreNamed() {
    assertThatThrownBy(() -> tok.encode(List.of("x"), 1, Truncation.KEEP_START))
        .hasMessageContaining("max length must be >= 2")
        .hasMessageContaining("found 1");
    assertThatThrownBy(() -> tok.encode(Arrays.asList("x", null), 8, Truncation.KEEP_START))
        .hasMessageContaining("text 1 of the batch is null");
    assertThat(tok.encode(List.of(), 8, Truncation.KEEP_START).batchSize()).isZero();
  }

  /**
   * The ids {@code encodeRows} must give: the whole text tokenized, then cut (what it did before
   * the window).
   */
  private static long[] wholeThenCut(String text, int maxLength, Truncation side) {
    long[] ids = tok.ids(text);
    if (ids.length <= maxLength) {
      return ids;
    }
    long[] out = new long[maxLength];
    out[0] = tok.clsId();
    out[maxLength - 1] = tok.sepId();
    int from = side == Truncation.KEEP_START ? 1 : ids.length - 1 - (maxLength - 2);
    System.arraycopy(ids, from, out, 1, maxLength - 2);
    return out;
  }

  @Test
  void aLongTextIsTokenizedFromACharacterWindowWithTheSamePiecesAsTheWholeText() {
    StringBuilder varied = new StringBuilder();
    for (int i = 0; i < 4000; i++) {
      varied
          .append(i % 7 == 0 ? "unbelievably" : "ski")
          .append(i % 11 == 0 ? ",\n" : " ")
          .append(i)
          .append(' ');
    }
    List<String> texts =
        List.of(
            varied.toString(),
            "a" + " ".repeat(5000) + "b c d", // whitespace runs: the window must widen
            "x".repeat(30_000) + " the end", // one huge word: no boundary in the window
            "caf\u00e9 na\u00efve \u4f60\u597d\u4e16\u754c ".repeat(2000), // accents and CJK
            "short text");
    for (Truncation side : Truncation.values()) {
      for (int maxLength : new int[] {8, 128, 256}) {
        long[][] rows = tok.encodeRows(texts, maxLength, side);
        for (int i = 0; i < texts.size(); i++) {
          assertThat(rows[i])
              .as("text %d, %s, %d", i, side, maxLength)
              .containsExactly(wholeThenCut(texts.get(i), maxLength, side));
        }
      }
    }
  }

  @Test
  void theWindowOfAMegabyteTextIsAFewThousandCharactersCutAtAWordBoundary() {
    String text = "word ".repeat(1_000_000) + "last words here";
    String end = BackboneTokenizer.window(text, 2048, Truncation.KEEP_END);
    assertThat(end.length()).isLessThanOrEqualTo(2048).isGreaterThan(2040);
    assertThat(end).startsWith("word ").endsWith("last words here");
    String start = BackboneTokenizer.window(text, 2048, Truncation.KEEP_START);
    assertThat(start.length()).isLessThanOrEqualTo(2048).isGreaterThan(2040);
    assertThat(start).startsWith("word ").endsWith("word");
    assertThat(BackboneTokenizer.window("short", 2048, Truncation.KEEP_END)).isEqualTo("short");
  }
}
