package io.adahit.agents.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.agents.backbone.EncodeOptions;
import io.adahit.agents.backbone.HookPoint;
import io.adahit.agents.backbone.TokenBatch;
import io.adahit.agents.backbone.Truncation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * AdapterFusion over frozen skill adapters. The fused adapters here have large random weights
 * (standing in for trained skills), so "equals the skill" and "equals the backbone" differ. For the
 * shared contract the fusion fuses {@code persona} and a near copy of it, so an untrained fusion
 * must reproduce {@code persona}; the other tests fuse genuinely different skills.
 */
class FusionAdapterTest extends AdapterContractTest {

  private static AdapterSet persona;
  private static AdapterSet personaCopy;
  private static AdapterSet empathy;

  @BeforeAll
  static void createFusedSkills() {
    persona = strong("persona", 3);
    empathy = strong("empathy", 4);
    personaCopy = strong("persona_copy", 5);
    personaCopy.setTrainable(false);
    try (NDManager m = backbone.newManager()) {
      Random r = new Random(6);
      for (int i = 0; i < persona.parameters().size(); i++) {
        NDArray p = personaCopy.parameters().get(i);
        float[] noise = new float[(int) p.size()];
        for (int k = 0; k < noise.length; k++) {
          noise[k] = (float) (r.nextGaussian() * 1e-4);
        }
        p.muli(0f).addi(persona.parameters().get(i)).addi(m.create(noise, p.getShape()));
      }
    }
  }

  /** A frozen bottleneck set (da 16, top 2 blocks) with weights far from the identity. */
  private static AdapterSet strong(String skill, long seed) {
    AdapterSet s =
        AdapterSet.create(
            backbone,
            AdapterConfig.houlsby(skill, 6).withBottleneck(16).withTopLayers(2),
            new AdapterInit(seed, 0.05, 0.05));
    perturb(s, seed + 100);
    s.setTrainable(false);
    return s;
  }

  @AfterAll
  static void closeFusedSkills() {
    persona.close();
    personaCopy.close();
    empathy.close();
  }

  private static AdapterSet fusion(String skill, List<AdapterSet> fused) {
    return AdapterSet.fusion(
        backbone,
        AdapterConfig.fusionOf(skill, fused.stream().map(AdapterSet::config).toList()),
        AdapterInit.seeded(9),
        fused);
  }

  @Override
  protected AdapterSet newAdapterSet() {
    return fusion("fusion", List.of(persona, personaCopy));
  }

  @Override
  protected AdapterSet load(Path dir) throws IOException {
    return AdapterFiles.load(dir, backbone, null, List.of(persona, personaCopy));
  }

  @Override
  protected float[][] referenceEmbeddings(List<String> texts) {
    return persona.embed(texts, EncodeOptions.defaults());
  }

  @Override
  protected List<NDArray> otherFrozenParameters() {
    List<NDArray> all = new ArrayList<>(persona.parameters());
    all.addAll(personaCopy.parameters());
    return all;
  }

  @Override
  protected long expectedParameterCount(int d) {
    return 4 * (3L * d * d + d); // blocks 4 and 5, both positions: W_Q, b_Q, W_K, W_V
  }

  @Test
  void theFusedSkillChangesTheBackboneSoTheContractIsNotTrivial() {
    float[][] skill = persona.embed(sentences, EncodeOptions.defaults());
    float[][] plain = backbone.embed(sentences, EncodeOptions.defaults());
    assertThat(cosine(skill[0], plain[0])).isLessThan(0.999);
  }

  @Test
  void anUntrainedFusionOfOneSkillEqualsThatSkillsAdapters() {
    int d = backbone.config().hiddenSize();
    try (AdapterSet one = fusion("one", List.of(persona));
        NDManager m = backbone.newManager()) {
      NDArray o = m.randomNormal(new Shape(2, 5, d));
      for (HookPoint p : one.config().hookPoints()) {
        NDArray fused = one.apply(p, o);
        NDArray alone = persona.apply(p, o);
        double scale = alone.sub(o).abs().max().getFloat();
        assertThat(scale).as("the adapter's own contribution at %s", p).isGreaterThan(0.1);
        assertThat(fused.sub(alone).abs().max().getFloat())
            .as("max |fusion - adapter| at %s", p)
            .isLessThan(1e-4f * (float) scale);
        assertThat(((FusionAdapter) one.module(p).orElseThrow()).attention(o).toFloatArray())
            .containsOnly(1f);
      }
      float[][] expected = persona.embed(sentences, EncodeOptions.defaults());
      float[][] actual = one.embed(sentences, EncodeOptions.defaults());
      for (int i = 0; i < expected.length; i++) {
        assertThat(maxAbsDiff(actual[i], expected[i])).as("embedding %d", i).isLessThan(1e-5);
      }
    }
  }

  @Test
  void gradientsOfTwoDifferentSkillsReachEveryFusionParameterAndNothingElse() {
    List<NDArray> frozen = new ArrayList<>(backbone.encoder().parameters());
    frozen.addAll(persona.parameters());
    frozen.addAll(empathy.parameters());
    String personaBefore = persona.weightsFingerprint();
    String empathyBefore = empathy.weightsFingerprint();
    TokenBatch batch = backbone.tokenizer().encode(sentences, 32, Truncation.KEEP_END);
    try (AdapterSet set = fusion("fusion", List.of(persona, empathy));
        NDManager m = backbone.newManager()) {
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        gc.backward(inBatchLoss(m, set.encode(m, batch, true)));
      }
      assertThat(set.trainableParameters()).hasSize(16);
      for (NDArray p : set.trainableParameters()) {
        float g = p.getGradient().abs().sum().getFloat();
        assertThat(g).as("|gradient| of %s", p.getName()).isPositive().isFinite();
      }
    }
    assertThat(frozen).noneMatch(NDArray::hasGradient);
    assertThat(persona.weightsFingerprint()).isEqualTo(personaBefore);
    assertThat(empathy.weightsFingerprint()).isEqualTo(empathyBefore);
  }

  @Test
  void attentionIsRecordedPerPointOverRealTokensOnly() {
    try (AdapterSet set = fusion("fusion", List.of(persona, empathy))) {
      perturb(set, 21); // a trained-looking fusion: attention far from uniform
      EncodeOptions options = EncodeOptions.defaults().withMaxLength(32);
      FusionAttention batched = FusionAttention.measure(set, sentences, options.withBatchSize(8));
      FusionAttention single = FusionAttention.measure(set, sentences, options.withBatchSize(1));
      long tokens = backbone.tokenizer().encode(sentences, 32, Truncation.KEEP_START).realTokens();
      assertThat(batched.skills()).containsExactly("persona", "empathy");
      assertThat(batched.tokens()).isEqualTo(tokens).isEqualTo(single.tokens());
      assertThat(batched.byPoint()).containsOnlyKeys(set.config().hookPoints());
      assertThat(batched.byLayer()).containsOnlyKeys(4, 5);
      batched
          .byPoint()
          .forEach(
              (p, v) -> {
                assertThat(v[0] + v[1])
                    .as("attention at %s sums to 1", p)
                    .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
                // padding rows of the batched run must not count: one text per batch has none
                assertThat(v[0])
                    .as("at %s", p)
                    .isCloseTo(
                        single.byPoint().get(p)[0], org.assertj.core.data.Offset.offset(1e-4));
              });
      assertThat(batched.byPoint().values()).anyMatch(v -> Math.abs(v[0] - 0.5) > 0.01);
      assertThat(batched.toTsv())
          .startsWith("layer\tposition\tpersona\tempathy\n4\tafter_attention\t")
          .contains("\n5\tmean\t");
    }
  }

  @Test
  void theManifestListsTheFusedAdaptersAndOtherKindsStayUnchanged() throws Exception {
    try (AdapterSet set = fusion("fusion", List.of(persona, empathy))) {
      AdapterManifest m = AdapterFiles.save(set, tmp.resolve("fusion"), Provenance.pending());
      assertThat(m.fused())
          .containsExactly(
              new AdapterManifest.FusedRef("persona", persona.weightsFingerprint()),
              new AdapterManifest.FusedRef("empathy", empathy.weightsFingerprint()));
      JsonNode json =
          new ObjectMapper().readTree(tmp.resolve("fusion/adapter_config.json").toFile());
      assertThat(json.path("fused").get(1).path("skill").asText()).isEqualTo("empathy");
      assertThat(json.path("config").path("kind").asText()).isEqualTo("fusion");
      assertThat(set.totalParameterCount())
          .isEqualTo(set.parameterCount() + persona.parameterCount() + empathy.parameterCount());
    }
    AdapterFiles.save(persona, tmp.resolve("persona"), Provenance.pending());
    JsonNode plain =
        new ObjectMapper().readTree(tmp.resolve("persona/adapter_config.json").toFile());
    assertThat(plain.has("fused"))
        .as("a bottleneck adapter's config has no 'fused' field")
        .isFalse();
    assertThat(AdapterFiles.readManifest(tmp.resolve("persona")).fused()).isEmpty();
  }

  @Test
  void loadingWithOtherFusedAdaptersThanTrainedIsRefused() throws Exception {
    Path dir = tmp.resolve("fusion");
    Path config = dir.resolve("adapter_config.json");
    try (AdapterSet set = fusion("fusion", List.of(persona, empathy))) {
      AdapterFiles.save(set, dir, Provenance.pending());
    }
    String who = config + ": adapter 'fusion' ";
    assertThatThrownBy(() -> AdapterFiles.load(dir, backbone, null, List.of(empathy, persona)))
        .isInstanceOf(IOException.class)
        .hasMessage(who + "fuses adapters [persona, empathy], found [empathy, persona]");
    assertThatThrownBy(() -> AdapterFiles.load(dir, backbone, null))
        .hasMessage(who + "fuses adapters [persona, empathy], found []");
    try (AdapterSet retrained = strong("persona", 42)) {
      assertThatThrownBy(() -> AdapterFiles.load(dir, backbone, null, List.of(retrained, empathy)))
          .hasMessage(
              who
                  + "was trained on fused adapter 'persona' with fingerprint "
                  + persona.weightsFingerprint()
                  + ", but the adapter given has "
                  + retrained.weightsFingerprint()
                  + " (retrained since? train the fusion again on the current adapters)");
    }
    try (AdapterSet loaded = AdapterFiles.load(dir, backbone, null, List.of(persona, empathy))) {
      assertThat(loaded.fused()).containsExactly(persona, empathy);
      assertThat(loaded.isTrainable()).isFalse();
    }
    assertThatThrownBy(
            () -> AdapterFiles.load(tmp.resolve("nothing"), backbone, null, List.of(persona)))
        .isInstanceOf(java.nio.file.NoSuchFileException.class);
  }

  @Test
  void badFusionsAreRefusedNamingTheAdapterAndTheRule() {
    AdapterConfig config =
        AdapterConfig.fusionOf("fusion", List.of(persona.config(), empathy.config()));
    assertThat(config.layers()).containsExactly(4, 5);
    assertThatThrownBy(() -> AdapterSet.create(backbone, config, AdapterInit.seeded(1)))
        .hasMessage("adapter 'fusion': kind fusion needs the adapters it fuses, found none");
    try (AdapterSet trainable =
            AdapterSet.create(
                backbone, persona.config().withSkill("fresh"), AdapterInit.seeded(1));
        AdapterSet top = strong("top", 7);
        AdapterSet head =
            AdapterSet.create(backbone, AdapterConfig.linearHead("head"), AdapterInit.seeded(1))) {
      assertThatThrownBy(
              () ->
                  AdapterSet.fusion(
                      backbone, config, AdapterInit.seeded(1), List.of(persona, trainable)))
          .hasMessage(
              "adapter 'fusion': fused adapter 'fresh' must be frozen (load it from its directory, or call "
                  + "setTrainable(false)), found trainable");
      assertThatThrownBy(
              () ->
                  AdapterSet.fusion(
                      backbone, config, AdapterInit.seeded(1), List.of(persona, persona)))
          .hasMessage("adapter 'fusion': fused adapters must be distinct, found 'persona' twice");
      head.setTrainable(false);
      assertThatThrownBy(
              () -> AdapterConfig.fusionOf("fusion", List.of(persona.config(), head.config())))
          .hasMessageStartingWith(
              "adapter 'fusion': the adapters to fuse share no hook point: 'persona' (bottleneck)"
                  + " adapts layers [4, 5] at [AFTER_ATTENTION, AFTER_FEED_FORWARD]; 'head' (linear_head)");
      assertThatThrownBy(
              () ->
                  AdapterSet.fusion(
                      backbone, config, AdapterInit.seeded(1), List.of(persona, head)))
          .hasMessage(
              "adapter 'fusion': fused adapter 'head' must be of kind bottleneck or hierarchical, found linear_head");
      AdapterConfig lower =
          AdapterConfig.fusion("fusion", List.of(3, 4, 5), List.of(HookPoint.Position.values()));
      assertThatThrownBy(
              () ->
                  AdapterSet.fusion(backbone, lower, AdapterInit.seeded(1), List.of(persona, top)))
          .hasMessageStartingWith(
              "adapter 'fusion': fused adapter 'persona' has no module at layer 3 AFTER_ATTENTION");
      assertThatThrownBy(
              () ->
                  AdapterSet.fusion(
                      backbone,
                      config.withSkill("persona"),
                      AdapterInit.seeded(1),
                      List.of(persona, top)))
          .hasMessageContaining("has the fusion's own name");
    }
  }

  @Test
  void theRegistryLoadsFusionsAfterTheSkillsTheyFuseAndReportsAMissingOne() throws Exception {
    Path folder = tmp.resolve("skills");
    AdapterConfig baseConfig = AdapterConfig.houlsby("base", 6).withBottleneck(8).withTopLayers(2);
    try (AdapterSet base =
        AdapterSet.create(backbone, baseConfig, new AdapterInit(1, 0.05, 0.05))) {
      base.setTrainable(false);
      AdapterFiles.save(base, folder.resolve("base"), Provenance.pending());
      try (AdapterSet hit =
          AdapterSet.create(
              backbone,
              AdapterConfig.hierarchical("hit", baseConfig, 4, 2),
              AdapterInit.seeded(2),
              base)) {
        hit.setTrainable(false);
        AdapterFiles.save(hit, folder.resolve("hit"), Provenance.pending());
        AdapterFiles.save(persona, folder.resolve("persona"), Provenance.pending());
        try (AdapterSet f = fusion("a_fusion", List.of(hit, persona))) {
          AdapterFiles.save(f, folder.resolve("a_fusion"), Provenance.pending());
        }
      }
    }
    try (SkillRegistry registry = new SkillRegistry(backbone)) {
      SkillRegistry.LoadReport report = registry.loadFolder(folder);
      assertThat(report.ok()).as("failures %s", report.failures()).isTrue();
      assertThat(report.loaded()).containsExactly("base", "persona", "hit", "a_fusion");
      AdapterSet f = registry.get("a_fusion");
      assertThat(f.fused()).containsExactly(registry.get("hit"), registry.get("persona"));
      assertThat(f.embed(List.of("hi there"), EncodeOptions.defaults())[0]).hasSize(384);
    }
    try (AdapterSet retrained = strong("persona", 43)) {
      AdapterFiles.save(retrained, folder.resolve("persona"), Provenance.pending());
    }
    try (SkillRegistry registry = new SkillRegistry(backbone)) {
      SkillRegistry.LoadReport report = registry.loadFolder(folder);
      assertThat(report.loaded()).containsExactly("base", "persona", "hit");
      assertThat(report.failures().get(folder.resolve("a_fusion")))
          .contains("was trained on fused adapter 'persona' with fingerprint");
    }
    java.nio.file.Files.walk(folder.resolve("hit"))
        .sorted(java.util.Comparator.reverseOrder())
        .forEach(p -> p.toFile().delete());
    try (SkillRegistry registry = new SkillRegistry(backbone)) {
      assertThat(registry.loadFolder(folder).failures().get(folder.resolve("a_fusion")))
          .isEqualTo(
              "adapter 'a_fusion': fused adapter 'hit' not found; known skills: [base, persona]");
    }
  }

  @Test
  void fusionPointsMayBeASubsetOfTheAdaptedOnes() {
    AdapterConfig top =
        AdapterConfig.fusion("top", List.of(5), List.of(HookPoint.Position.AFTER_FEED_FORWARD));
    try (AdapterSet set =
        AdapterSet.fusion(backbone, top, AdapterInit.seeded(1), List.of(persona, empathy))) {
      assertThat(set.modules())
          .containsOnlyKeys(new HookPoint(5, HookPoint.Position.AFTER_FEED_FORWARD));
      assertThat(set.parameterCount()).isEqualTo(3L * 384 * 384 + 384);
      assertThat(set.config().firstAdaptedLayer(6)).isEqualTo(5);
    }
  }

  private static double maxAbsDiff(float[] a, float[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
