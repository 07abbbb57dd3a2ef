package io.adahit.agents.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adahit.agents.adapters.AdapterFiles;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The second embedded backbone, bge-small-en-v1.5: selected by name, its 12-layer shape read and
 * checked from its ONNX file, our DJL encoder against ONNX Runtime on that file, and adapters
 * trained on MiniLM refused on it.
 */
class BgeSmallBackboneTest {

  private static Backbone backbone;
  private static OnnxRuntimeReference ort;

  @BeforeAll
  static void load() throws Exception {
    backbone = Backbone.open("bge-small-en-v1.5");
    ort = new OnnxRuntimeReference(EmbeddedBackbone.BGE_SMALL_EN_V15);
  }

  @AfterAll
  static void close() throws Exception {
    backbone.close();
    ort.close();
  }

  @Test
  void namesSelectTheEmbeddedBackbonesAndAnUnknownNameListsThem() {
    assertThat(EmbeddedBackbone.byName("bge-small-en-v1.5"))
        .isEqualTo(EmbeddedBackbone.BGE_SMALL_EN_V15);
    assertThat(EmbeddedBackbone.byName("all-MiniLM-L6-v2"))
        .isEqualTo(EmbeddedBackbone.ALL_MINILM_L6_V2);
    assertThat(EmbeddedBackbone.byName("ALL-MINILM-L6-V2"))
        .isEqualTo(EmbeddedBackbone.defaultBackbone());
    assertThat(EmbeddedBackbone.names()).containsExactly("all-minilm-l6-v2", "bge-small-en-v1.5");
    assertThatThrownBy(() -> EmbeddedBackbone.byName("bge-base"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown backbone 'bge-base': the embedded backbones are all-minilm-l6-v2, bge-small-en-v1.5");
    assertThatThrownBy(() -> Backbone.open("no-such-backbone"))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("no-such-backbone")
        .hasMessageContaining("neither an embedded backbone (all-minilm-l6-v2, bge-small-en-v1.5)");
  }

  @Test
  void itIsTheTwelveLayerBgeSmallWithItsOwnWeights() throws Exception {
    assertThat(backbone.name()).isEqualTo("bge-small-en-v1.5");
    assertThat(backbone.embedded()).contains(EmbeddedBackbone.BGE_SMALL_EN_V15);
    assertThat(backbone.config())
        .isEqualTo(new BertConfig(30522, 384, 12, 12, 1536, 512, 2, 1e-12));
    // 6 more layers of 1,774,464 parameters each than MiniLM's 22,713,216 (BertWeights counts every
    // tensor)
    try (Backbone minilm = Backbone.loadDefault()) {
      assertThat(backbone.parameterCount()).isEqualTo(minilm.parameterCount() + 6L * 1_774_464);
      assertThat(backbone.fingerprint()).isNotEqualTo(minilm.fingerprint());
    }
  }

  @Test
  void lastHiddenStateAndPooledEmbeddingsMatchOnnxRuntimeOnRealSentences() throws Exception {
    List<String> sentences = SharedData.convai2Sentences(16);
    EncodeOptions opts = EncodeOptions.defaults();
    TokenBatch batch = backbone.tokenizer().encode(sentences, opts.maxLength(), opts.truncation());
    assertThat(Arrays.stream(batch.lengths()).min().getAsInt())
        .as("a padded batch of uneven lengths")
        .isLessThan(batch.seqLen());

    float[][][] ours = backbone.lastHiddenState(sentences, opts);
    float[][][] ref = ort.lastHiddenState(batch);
    float[][] pooled = backbone.embed(sentences, opts.withNormalize(false));

    double maxAbs = 0;
    double minCos = 1;
    for (int i = 0; i < sentences.size(); i++) {
      int len = batch.lengths()[i];
      float[] refPooled = new float[384];
      for (int t = 0; t < len; t++) {
        for (int k = 0; k < 384; k++) {
          maxAbs = Math.max(maxAbs, Math.abs(ours[i][t][k] - ref[i][t][k]));
          refPooled[k] += ref[i][t][k] / len;
        }
      }
      minCos = Math.min(minCos, BackboneParityTest.cosine(pooled[i], refPooled));
    }
    System.out.printf(
        "bge-small-en-v1.5 parity over %d sentences: min cosine %.9f, max |diff| %.3g%n",
        sentences.size(), minCos, maxAbs);
    assertThat(minCos).isGreaterThan(0.9999);
    assertThat(maxAbs).isLessThan(1e-3);
  }

  @Test
  void aSkillTrainedOnMiniLmIsRefusedOnBgeNamingBothBackbones() {
    Path skill = Path.of("").toAbsolutePath().getParent().resolve("skills/convai2");
    assertThatThrownBy(() -> AdapterFiles.load(skill, backbone, null))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("was trained on backbone 'all-MiniLM-L6-v2' with fingerprint sha256:")
        .hasMessageContaining(
            "but this backbone 'bge-small-en-v1.5' has " + backbone.fingerprint());
  }
}
