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
    tok = BackboneTokenizer.fromJson(Backbone.resource(Backbone.DEFAULT_TOKENIZER_RESOURCE), "minilm");
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
    TokenBatch b = tok.encode(List.of("your persona: i like to ski.", "hi"), 256, Truncation.KEEP_START);
    assertThat(b.batchSize()).isEqualTo(2);
    assertThat(b.seqLen()).isEqualTo(10);
    assertThat(b.lengths()).containsExactly(10, 3);
    assertThat(b.row(1)).containsExactly(101, 7632, 102);
    assertThat(Arrays.copyOfRange(b.ids(), 10, 20)).containsExactly(101, 7632, 102, 0, 0, 0, 0, 0, 0, 0);
    assertThat(Arrays.copyOfRange(b.attentionMask(), 10, 20)).containsExactly(1, 1, 1, 0, 0, 0, 0, 0, 0, 0);
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
        .hasMessageContaining("max length must be >= 2").hasMessageContaining("found 1");
    assertThatThrownBy(() -> tok.encode(Arrays.asList("x", null), 8, Truncation.KEEP_START))
        .hasMessageContaining("text 1 of the batch is null");
    assertThat(tok.encode(List.of(), 8, Truncation.KEEP_START).batchSize()).isZero();
  }
}
