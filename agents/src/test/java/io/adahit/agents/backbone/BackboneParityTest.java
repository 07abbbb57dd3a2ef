package io.adahit.agents.backbone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Our DJL encoder against ONNX Runtime on the same ONNX file and the same real sentences. */
class BackboneParityTest {

  private static Backbone backbone;
  private static OnnxRuntimeReference ort;

  @BeforeAll
  static void load() throws Exception {
    backbone = Backbone.loadDefault();
    ort = new OnnxRuntimeReference();
  }

  @AfterAll
  static void close() throws Exception {
    backbone.close();
    ort.close();
  }

  @Test
  void lastHiddenStateAndPooledEmbeddingsMatchOnnxRuntimeOnRealSentences() throws Exception {
    List<String> sentences = SharedData.convai2Sentences(16);
    assertThat(sentences).hasSize(16);
    EncodeOptions opts = EncodeOptions.defaults();
    TokenBatch batch = backbone.tokenizer().encode(sentences, opts.maxLength(), opts.truncation());
    assertThat(batch.lengths())
        .as("a padded batch of uneven lengths")
        .containsAnyOf(batch.seqLen())
        .matches(l -> java.util.Arrays.stream(l).min().getAsInt() < batch.seqLen());

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
      minCos = Math.min(minCos, cosine(pooled[i], refPooled));
    }
    System.out.printf(
        "parity over %d sentences: min cosine %.9f, max |diff| %.3g%n",
        sentences.size(), minCos, maxAbs);
    assertThat(minCos).isGreaterThan(0.9999);
    assertThat(maxAbs).isLessThan(1e-3);
  }

  @Test
  void normalisedEmbeddingsHaveUnitLengthAndKeepInputOrder() {
    List<String> s = SharedData.convai2Sentences(10);
    float[][] all = backbone.embed(s, EncodeOptions.defaults().withBatchSize(3));
    for (int i = 0; i < s.size(); i++) {
      double norm = 0;
      for (float v : all[i]) {
        norm += v * v;
      }
      assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
      float[] alone = backbone.embed(List.of(s.get(i)), EncodeOptions.defaults())[0];
      assertThat(cosine(all[i], alone)).as("row %d batched vs alone", i).isGreaterThan(0.99999);
    }
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
