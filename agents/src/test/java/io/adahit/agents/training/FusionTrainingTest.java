package io.adahit.agents.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import io.adahit.agents.adapters.AdapterConfig;
import io.adahit.agents.adapters.AdapterInit;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.backbone.Backbone;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bi-encoder trainer on an AdapterFusion: only the fusion trains, the layers below it are
 * cached.
 */
class FusionTrainingTest {

  private static Backbone backbone;
  private static List<TrainingPair> train;
  private static AdapterSet persona;
  private static AdapterSet knowledge;

  @BeforeAll
  static void load() throws IOException {
    backbone = Backbone.loadDefault();
    train = TrainingData.pairs(0, 32);
    persona = frozen("persona", 3);
    knowledge = frozen("knowledge", 4);
  }

  private static AdapterSet frozen(String skill, long seed) {
    AdapterSet s =
        AdapterSet.create(
            backbone,
            AdapterConfig.houlsby(skill, 6).withTopLayers(2).withBottleneck(8),
            new AdapterInit(seed, 0.05, 0.05));
    s.setTrainable(false);
    return s;
  }

  @AfterAll
  static void close() {
    persona.close();
    knowledge.close();
    backbone.close();
  }

  private static TrainerOptions options(long steps) {
    return TrainerOptions.defaults(steps)
        .withBatchSize(8)
        .withLearningRate(1e-3)
        .withLengths(32, 24)
        .withValidation(0, 8);
  }

  private static AdapterSet fusion(List<AdapterSet> fused) {
    return AdapterSet.fusion(
        backbone,
        AdapterConfig.fusionOf("fusion", fused.stream().map(AdapterSet::config).toList()),
        AdapterInit.seeded(1),
        fused);
  }

  @Test
  void onlyTheFusionTrainsAndTheLayersBelowItAreCached(@TempDir Path dir) throws IOException {
    List<TrainingTask> tasks = List.of(new TrainingTask("convai2", train, List.of()));
    String personaBefore = persona.weightsFingerprint();
    String knowledgeBefore = knowledge.weightsFingerprint();
    try (AdapterSet set = fusion(List.of(persona, knowledge))) {
      String before = set.weightsFingerprint();
      BiEncoderTrainer.Result r =
          new BiEncoderTrainer(backbone, options(3)).train(set, tasks, dir, -1, null);
      assertThat(r.cacheLevel()).isEqualTo(4);
      assertThat(Double.isFinite(r.finalLoss())).isTrue();
      assertThat(set.weightsFingerprint()).isNotEqualTo(before);
    }
    assertThat(persona.weightsFingerprint()).isEqualTo(personaBefore);
    assertThat(knowledge.weightsFingerprint()).isEqualTo(knowledgeBefore);
    assertThat(persona.parameters()).noneMatch(NDArray::hasGradient);
    assertThat(backbone.encoder().parameters()).noneMatch(NDArray::hasGradient);
    // the checkpoint belongs to this fusion of these adapters: another set of fused adapters is
    // another run
    try (AdapterSet other = frozen("persona", 5);
        AdapterSet set = fusion(List.of(other, knowledge))) {
      assertThatThrownBy(
              () -> new BiEncoderTrainer(backbone, options(3)).train(set, tasks, dir, -1, null))
          .hasMessageContaining("belongs to another run");
    }
  }
}
