package io.adahit.agents.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.adahit.agents.adapters.AdapterConfig;
import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.adapters.AdapterInit;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.adapters.Provenance;
import io.adahit.agents.adapters.SkillRegistry;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.EncodeOptions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AdaHIT's promise: training a new skill's sub-adapters on the frozen base changes nothing an old
 * skill computes. The base and an old skill are trained, served from a folder, then a new skill is
 * trained into the same folder; the old skill's files and embeddings stay bit-identical.
 */
class ContinualLearningTest {

  private static Backbone backbone;

  @BeforeAll
  static void load() throws Exception {
    backbone = Backbone.loadDefault();
  }

  @AfterAll
  static void close() {
    backbone.close();
  }

  @Test
  void addingANewSkillLeavesOldSkillsBitIdentical(@TempDir Path skills) throws Exception {
    TrainerOptions o =
        TrainerOptions.defaults(6).withBatchSize(8).withLearningRate(1e-2).withLengths(40, 24);
    List<TrainingPair> old = TrainingData.pairs(0, 48);
    List<TrainingPair> fresh = TrainingData.pairs(400, 48);
    AdapterConfig baseConfig =
        AdapterConfig.houlsby("adahit_base", 6).withTopLayers(1).withBottleneck(16);
    try (AdapterSet base = AdapterSet.create(backbone, baseConfig, AdapterInit.seeded(1))) {
      new BiEncoderTrainer(backbone, o)
          .train(base, List.of(new TrainingTask("old", old, List.of())), null, -1, null);
      base.setTrainable(false);
      AdapterFiles.save(base, skills.resolve("adahit_base"), Provenance.pending());
      try (AdapterSet convai2 =
          AdapterSet.create(
              backbone,
              AdapterConfig.hierarchical("convai2", baseConfig, 8, 4),
              AdapterInit.seeded(2),
              base)) {
        new BiEncoderTrainer(backbone, o)
            .train(convai2, List.of(new TrainingTask("convai2", old, List.of())), null, -1, null);
        AdapterFiles.save(convai2, skills.resolve("convai2"), Provenance.pending());
      }
    }
    List<String> probe = old.subList(0, 5).stream().map(TrainingPair::context).toList();
    String baseHash = AdapterFiles.sha256(skills.resolve("adahit_base/adapter.safetensors"));
    String oldHash = AdapterFiles.sha256(skills.resolve("convai2/adapter.safetensors"));
    float[][] before;
    try (SkillRegistry registry = new SkillRegistry(backbone)) {
      registry.loadFolder(skills);
      before = registry.get("convai2").embed(probe, EncodeOptions.defaults());
      // the new skill trains on the base exactly as the server loaded it: frozen
      AdapterSet loadedBase = registry.get("adahit_base");
      try (AdapterSet bst =
          AdapterSet.create(
              backbone,
              AdapterConfig.hierarchical("blended_skill_talk", loadedBase.config(), 8, 4),
              AdapterInit.seeded(3),
              loadedBase)) {
        new BiEncoderTrainer(backbone, o)
            .train(bst, List.of(new TrainingTask("bst", fresh, List.of())), null, -1, null);
        AdapterFiles.save(bst, skills.resolve("blended_skill_talk"), Provenance.pending());
      }
      // still serving: the old skill answers as before
      assertThat(registry.get("convai2").embed(probe, EncodeOptions.defaults()))
          .isDeepEqualTo(before);
    }
    assertThat(AdapterFiles.sha256(skills.resolve("adahit_base/adapter.safetensors")))
        .isEqualTo(baseHash);
    assertThat(AdapterFiles.sha256(skills.resolve("convai2/adapter.safetensors")))
        .isEqualTo(oldHash);
    try (SkillRegistry registry = new SkillRegistry(backbone)) {
      assertThat(registry.loadFolder(skills).loaded()).contains("blended_skill_talk", "convai2");
      assertThat(registry.get("convai2").embed(probe, EncodeOptions.defaults()))
          .isDeepEqualTo(before);
      assertThat(registry.get("blended_skill_talk").embed(probe, EncodeOptions.defaults())[0])
          .isNotEqualTo(before[0]);
    }
  }
}
