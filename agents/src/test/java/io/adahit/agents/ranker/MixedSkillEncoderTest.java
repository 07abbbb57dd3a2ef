package io.adahit.agents.ranker;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.adahit.agents.adapters.AdapterConfig;
import io.adahit.agents.adapters.AdapterInit;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.EncodeOptions;
import io.adahit.agents.backbone.TokenBatch;
import io.adahit.agents.backbone.Truncation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One backbone pass for rows of several skills gives each row what its own skill alone gives. */
class MixedSkillEncoderTest {

  private static final EncodeOptions OPTS = new EncodeOptions(256, Truncation.KEEP_END, true, 32);
  private static final List<String> ZERO =
      List.of("hi! how are you today?", "i like to ski in the winter.");
  private static final List<String> ADA =
      List.of(
          "what do you do for a living?",
          "my dog is named rex.",
          "your persona: i love tea.\ni have two cats, do you have pets?");
  private static final List<String> OWN_LN =
      List.of("the weather is lovely here.", "i am a teacher.");
  private static final List<String> HIER =
      List.of("i have been to paris twice.", "what's your favourite band?");

  private static Backbone backbone;
  private static AdapterSet ada;
  private static AdapterSet ownLn;
  private static AdapterSet adahitBase;
  private static AdapterSet hierarchical;

  @BeforeAll
  static void load() throws Exception {
    backbone = Backbone.loadDefault();
    ada =
        AdapterSet.create(
            backbone, AdapterConfig.houlsby("ada", 6), new AdapterInit(3, 0.05, 0.05));
    ownLn =
        AdapterSet.create(
            backbone,
            AdapterConfig.houlsby("ln", 6).withTopLayers(2).withOwnLayerNorm(true),
            new AdapterInit(5, 0.05, 0.05));
    AdapterConfig baseConfig = AdapterConfig.houlsby("adahit_base", 6).withTopLayers(2);
    adahitBase = AdapterSet.create(backbone, baseConfig, new AdapterInit(7, 0.05, 0.05));
    adahitBase.setTrainable(false);
    hierarchical =
        AdapterSet.create(
            backbone,
            AdapterConfig.hierarchical("h", baseConfig, 32, 16),
            new AdapterInit(9, 0.05, 0.05),
            adahitBase);
  }

  @AfterAll
  static void close() {
    hierarchical.close();
    adahitBase.close();
    ownLn.close();
    ada.close();
    backbone.close();
  }

  @Test
  void mixedBatchEqualsEachSkillEncodedAlone() {
    List<String> all = new ArrayList<>(ZERO);
    all.addAll(ADA);
    all.addAll(HIER);
    all.addAll(OWN_LN);
    List<MixedSkillEncoder.Segment> segments =
        List.of(
            new MixedSkillEncoder.Segment(0, 2, null),
            new MixedSkillEncoder.Segment(2, 5, ada),
            new MixedSkillEncoder.Segment(5, 7, hierarchical),
            new MixedSkillEncoder.Segment(7, 9, ownLn));
    float[][] mixed = encode(all, segments);
    float[][] hier = hierarchical.embed(HIER, OPTS);
    assertClose(mixed[5], hier[0]);
    assertClose(mixed[6], hier[1]);

    float[][] zero = backbone.embed(ZERO, OPTS);
    float[][] alone = ada.embed(ADA, OPTS);
    float[][] ln = ownLn.embed(OWN_LN, OPTS);
    assertClose(mixed[0], zero[0]);
    assertClose(mixed[1], zero[1]);
    for (int i = 0; i < 3; i++) {
      assertClose(mixed[2 + i], alone[i]);
    }
    assertClose(mixed[7], ln[0]);
    assertClose(mixed[8], ln[1]);
  }

  @Test
  void aFusionSkillMixesWithOthersAsItEncodesAlone() {
    AdapterConfig top2 = AdapterConfig.houlsby("top2", 6).withTopLayers(2);
    try (AdapterSet other = AdapterSet.create(backbone, top2, new AdapterInit(13, 0.05, 0.05))) {
      other.setTrainable(false);
      hierarchical.setTrainable(false);
      try (AdapterSet fusion =
          AdapterSet.fusion(
              backbone,
              AdapterConfig.fusionOf("fused", List.of(hierarchical.config(), other.config())),
              new AdapterInit(17, 0.05, 0.05),
              List.of(hierarchical, other))) {
        List<String> all = new ArrayList<>(ZERO);
        all.addAll(HIER);
        all.addAll(ADA);
        float[][] mixed =
            encode(
                all,
                List.of(
                    new MixedSkillEncoder.Segment(0, 2, null),
                    new MixedSkillEncoder.Segment(2, 4, fusion),
                    new MixedSkillEncoder.Segment(4, 7, ada)));
        float[][] fused = fusion.embed(HIER, OPTS);
        assertClose(mixed[2], fused[0]);
        assertClose(mixed[3], fused[1]);
        assertClose(mixed[4], ada.embed(ADA, OPTS)[0]);
        assertClose(mixed[0], backbone.embed(ZERO, OPTS)[0]);
        assertThat(cosine(fused[0], backbone.embed(HIER, OPTS)[0])).isLessThan(0.999);
      }
    }
  }

  @Test
  void theAdaptersReallyChangeTheirRows() {
    // guards the test above: with identity adapters it would pass trivially
    float[][] zero = backbone.embed(ADA, OPTS);
    float[][] adapted = ada.embed(ADA, OPTS);
    assertThat(cosine(zero[0], adapted[0])).isLessThan(0.999);
  }

  @Test
  void aSingleSegmentIsTheSkillsOwnEncoding() {
    float[][] one = encode(ADA, List.of(new MixedSkillEncoder.Segment(0, 3, ada)));
    float[][] alone = ada.embed(ADA, OPTS);
    for (int i = 0; i < 3; i++) {
      assertClose(one[i], alone[i]);
    }
  }

  private static float[][] encode(List<String> texts, List<MixedSkillEncoder.Segment> segments) {
    TokenBatch batch =
        backbone.tokenizer().pad(backbone.tokenizer().encodeRows(texts, 256, Truncation.KEEP_END));
    try (NDManager m = backbone.newManager()) {
      float[] flat =
          new MixedSkillEncoder(backbone).encode(m, batch, segments, true).toFloatArray();
      int d = backbone.config().hiddenSize();
      float[][] out = new float[texts.size()][];
      for (int i = 0; i < out.length; i++) {
        out[i] = java.util.Arrays.copyOfRange(flat, i * d, (i + 1) * d);
      }
      return out;
    }
  }

  private static void assertClose(float[] a, float[] b) {
    float max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    assertThat(max).isLessThan(2e-5f);
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0, na = 0, nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
