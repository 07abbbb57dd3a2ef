package io.adahit.agents.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.adahit.agents.adapters.AdapterConfig;
import io.adahit.agents.adapters.AdapterInit;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.FloatTensor;
import io.adahit.agents.backbone.Truncation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bi-encoder trainer on a tiny real slice of ConvAI2 training data. */
class BiEncoderTrainerTest {

  private static Backbone backbone;
  private static List<TrainingPair> train;
  private static List<TrainingPair> valid;

  @BeforeAll
  static void load() throws IOException {
    backbone = Backbone.loadDefault();
    train = TrainingData.pairs(0, 64);
    valid = TrainingData.pairs(64, 24);
  }

  @AfterAll
  static void close() {
    backbone.close();
  }

  private static TrainerOptions options(long steps) {
    return TrainerOptions.defaults(steps)
        .withBatchSize(8)
        .withLearningRate(1e-2)
        .withLengths(48, 32)
        .withValidation(0, 8);
  }

  private static AdapterConfig topTwo(String skill) {
    return AdapterConfig.houlsby(skill, 6).withTopLayers(2).withBottleneck(16);
  }

  @Test
  void aFewStepsLowerTheLossAndLeaveTheBackboneUntouched() throws IOException {
    String before = backbone.fingerprint();
    List<Double> losses = new ArrayList<>();
    try (AdapterSet set = AdapterSet.create(backbone, topTwo("convai2"), AdapterInit.seeded(1))) {
      BiEncoderTrainer.Result r =
          new BiEncoderTrainer(backbone, options(24))
              .train(
                  set,
                  List.of(new TrainingTask("convai2", train, valid)),
                  null,
                  -1,
                  new BiEncoderTrainer.Listener() {
                    @Override
                    public void onStep(BiEncoderTrainer.StepReport s) {
                      losses.add(s.loss());
                    }
                  });
      assertThat(r.steps()).isEqualTo(24);
      assertThat(r.cacheLevel()).isEqualTo(4);
      assertThat(r.validHitsAt1()).containsKey("convai2");
    }
    double first = losses.subList(0, 8).stream().mapToDouble(d -> d).average().orElseThrow();
    double last = losses.subList(16, 24).stream().mapToDouble(d -> d).average().orElseThrow();
    assertThat(last).as("mean loss of the last 8 steps vs the first 8").isLessThan(first * 0.8);
    assertThat(backbone.fingerprint()).isEqualTo(before);
    assertThat(backbone.encoder().parameters()).noneMatch(NDArray::hasGradient);
  }

  @Test
  void cachedLowerLayersGiveTheSameEmbeddingsAsTheFullForwardPass() {
    List<String> texts = train.subList(0, 12).stream().map(TrainingPair::context).toList();
    try (AdapterSet set = AdapterSet.create(backbone, topTwo("x"), new AdapterInit(5, 0.05, 0.05));
        NDManager m = backbone.newManager()) {
      int[] rows = {3, 0, 11, 7, 5};
      float[] cached =
          LayerCache.build(backbone, texts, 48, Truncation.KEEP_END, 4, 5, null)
              .encode(m, rows, set, true)
              .toFloatArray();
      float[] full =
          LayerCache.build(backbone, texts, 48, Truncation.KEEP_END, 0, 5, null)
              .encode(m, rows, set, true)
              .toFloatArray();
      assertThat(maxAbsDiff(cached, full)).isLessThan(1e-5);
      assertThatThrownBy(
              () ->
                  LayerCache.build(backbone, texts, 48, Truncation.KEEP_END, 5, 5, null)
                      .encode(m, rows, set, true))
          .hasMessageContaining("adapts layer 4, below the cached level 5");
    }
  }

  @Test
  void theLayerCacheKeptOnDiskGivesTheSameEmbeddings(@TempDir Path dir) throws IOException {
    List<String> texts = train.subList(0, 6).stream().map(TrainingPair::reply).toList();
    try (AdapterSet set = AdapterSet.create(backbone, topTwo("x"), new AdapterInit(5, 0.05, 0.05));
        NDManager m = backbone.newManager()) {
      int[] rows = {5, 1, 2};
      float[] built =
          LayerCache.buildOrLoad(backbone, texts, 32, Truncation.KEEP_START, 4, 4, dir, null)
              .encode(m, rows, set, true)
              .toFloatArray();
      assertThat(dir).isNotEmptyDirectory();
      int[] calls = {0};
      float[] loaded =
          LayerCache.buildOrLoad(
                  backbone, texts, 32, Truncation.KEEP_START, 4, 4, dir, done -> calls[0]++)
              .encode(m, rows, set, true)
              .toFloatArray();
      assertThat(calls[0]).as("a load reports all texts done at once").isEqualTo(1);
      assertThat(loaded).containsExactly(built);
    }
  }

  @Test
  void aHigherLevelIsBuiltFromALowerCacheOnDiskAsFromScratch(@TempDir Path dir) throws IOException {
    List<String> texts = train.subList(0, 9).stream().map(TrainingPair::context).toList();
    try (AdapterSet head =
            AdapterSet.create(
                backbone, AdapterConfig.linearHead("fe"), new AdapterInit(5, 0.05, 0.05));
        NDManager m = backbone.newManager()) {
      int[] rows = {8, 0, 4, 2};
      LayerCache.buildOrLoad(backbone, texts, 40, Truncation.KEEP_END, 4, 4, dir, null);
      int[] steps = {0};
      float[] deepened =
          LayerCache.buildOrLoad(
                  backbone, texts, 40, Truncation.KEEP_END, 6, 4, dir, done -> steps[0]++)
              .encode(m, rows, head, true)
              .toFloatArray();
      assertThat(steps[0]).as("built batch by batch from the level-4 file").isEqualTo(3);
      float[] scratch =
          LayerCache.build(backbone, texts, 40, Truncation.KEEP_END, 6, 4, null)
              .encode(m, rows, head, true)
              .toFloatArray();
      assertThat(maxAbsDiff(deepened, scratch)).isLessThan(1e-5);
      float[] level5 =
          LayerCache.buildOrLoad(backbone, texts, 40, Truncation.KEEP_END, 5, 4, dir, null)
              .encode(m, rows, head, true)
              .toFloatArray();
      assertThat(maxAbsDiff(level5, scratch)).isLessThan(1e-5);
    }
  }

  @Test
  void aKilledRunResumesFromItsCheckpointExactly(@TempDir Path dir) throws IOException {
    List<TrainingTask> tasks = List.of(new TrainingTask("convai2", train, List.of()));
    List<FloatTensor> straight;
    try (AdapterSet set = AdapterSet.create(backbone, topTwo("convai2"), AdapterInit.seeded(2))) {
      new BiEncoderTrainer(backbone, options(10)).train(set, tasks, null, -1, null);
      straight = set.tensors();
    }
    try (AdapterSet set = AdapterSet.create(backbone, topTwo("convai2"), AdapterInit.seeded(2))) {
      BiEncoderTrainer.Result part =
          new BiEncoderTrainer(backbone, options(10)).train(set, tasks, dir, 4, null);
      assertThat(part.steps()).isEqualTo(4);
    }
    // a new process: fresh weights, the checkpoint brings back step 4's weights and moments
    try (AdapterSet set = AdapterSet.create(backbone, topTwo("convai2"), AdapterInit.seeded(2))) {
      BiEncoderTrainer.Result rest =
          new BiEncoderTrainer(backbone, options(10)).train(set, tasks, dir, -1, null);
      assertThat(rest.resumedFrom()).isEqualTo(4);
      assertThat(rest.steps()).isEqualTo(10);
      List<FloatTensor> resumed = set.tensors();
      for (int i = 0; i < straight.size(); i++) {
        assertThat(maxAbsDiff(resumed.get(i).data(), straight.get(i).data()))
            .as(straight.get(i).name())
            .isLessThan(1e-6);
      }
    }
    // another run (other settings) refuses the checkpoint
    try (AdapterSet set = AdapterSet.create(backbone, topTwo("convai2"), AdapterInit.seeded(2))) {
      assertThatThrownBy(
              () -> new BiEncoderTrainer(backbone, options(12)).train(set, tasks, dir, -1, null))
          .hasMessageContaining("belongs to another run");
    }
  }

  @Test
  void adahitTaskTrainingLeavesTheBaseFrozen() throws IOException {
    try (AdapterSet base =
        AdapterSet.create(backbone, topTwo("base"), new AdapterInit(3, 0.05, 0.05))) {
      base.setTrainable(false);
      String baseBefore = base.weightsFingerprint();
      try (AdapterSet task =
          AdapterSet.create(
              backbone,
              AdapterConfig.hierarchical("convai2", base.config(), 8, 8),
              AdapterInit.seeded(4),
              base)) {
        String taskBefore = task.weightsFingerprint();
        new BiEncoderTrainer(backbone, options(4))
            .train(task, List.of(new TrainingTask("convai2", train, List.of())), null, -1, null);
        assertThat(task.weightsFingerprint()).isNotEqualTo(taskBefore);
      }
      assertThat(base.weightsFingerprint()).isEqualTo(baseBefore);
      assertThat(base.parameters()).noneMatch(NDArray::hasGradient);
    }
  }

  @Test
  void aFrozenSetOrTooLittleDataIsRefused() {
    try (AdapterSet set = AdapterSet.create(backbone, topTwo("convai2"), AdapterInit.seeded(1))) {
      BiEncoderTrainer t = new BiEncoderTrainer(backbone, options(2));
      assertThatThrownBy(
              () ->
                  t.train(
                      set,
                      List.of(new TrainingTask("convai2", train.subList(0, 5), List.of())),
                      null,
                      -1,
                      null))
          .hasMessageContaining("5 training pairs, fewer than the batch size 8");
      set.setTrainable(false);
      assertThatThrownBy(
              () ->
                  t.train(
                      set, List.of(new TrainingTask("convai2", train, List.of())), null, -1, null))
          .hasMessageContaining("is frozen");
    }
  }

  private static double maxAbsDiff(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
