package io.adahit.agents.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.EncodeOptions;
import io.adahit.agents.backbone.FloatTensor;
import io.adahit.agents.backbone.TokenBatch;
import io.adahit.agents.backbone.Truncation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every adapter kind keeps (one subclass per kind, as langchain4j's provider tests):
 * an untrained set is the identity up to init noise, shapes follow the layout and the parameter
 * formula, one backward pass reaches every trainable parameter and nothing frozen, and a save/load
 * round trip reproduces the outputs exactly.
 */
abstract class AdapterContractTest {

  protected static Backbone backbone;
  protected static List<String> sentences;

  @TempDir Path tmp;

  @BeforeAll
  static void loadBackbone() throws Exception {
    backbone = Backbone.loadDefault();
    sentences = io.adahit.agents.backbone.SharedData.convai2Sentences(8);
  }

  @AfterAll
  static void closeBackbone() {
    backbone.close();
  }

  /** A fresh, trainable set of the kind under test. */
  protected abstract AdapterSet newAdapterSet();

  /** The paper's parameter count for {@link #newAdapterSet()}'s config on a d-wide backbone. */
  protected abstract long expectedParameterCount(int d);

  /** The base a hierarchical set stacks on; null for the other kinds. */
  protected AdapterSet base() {
    return null;
  }

  /** Loads a saved set of the kind under test (with its base or fused sets). */
  protected AdapterSet load(Path dir) throws java.io.IOException {
    return AdapterFiles.load(dir, backbone, base());
  }

  /**
   * Embeddings of the model the untrained set must reproduce: the backbone's (the base's for
   * AdaHIT).
   */
  protected float[][] referenceEmbeddings(List<String> texts) {
    return backbone.embed(texts, EncodeOptions.defaults());
  }

  /** Parameters besides the backbone's that must stay frozen. */
  protected List<NDArray> otherFrozenParameters() {
    return List.of();
  }

  @Test
  void untrainedSetLeavesEmbeddingsUnchangedUpToInitNoise() {
    try (AdapterSet set = newAdapterSet()) {
      float[][] reference = referenceEmbeddings(sentences);
      float[][] adapted = set.embed(sentences, EncodeOptions.defaults());
      assertThat(adapted).hasSameDimensionsAs(reference);
      for (int i = 0; i < sentences.size(); i++) {
        assertThat(cosine(reference[i], adapted[i]))
            .as("cosine for '%s'", sentences.get(i))
            .isGreaterThan(AdapterInit.IDENTITY_MIN_COSINE);
      }
    }
  }

  @Test
  void tensorsFollowTheLayoutAndTheParameterFormula() {
    int d = backbone.config().hiddenSize();
    try (AdapterSet set = newAdapterSet()) {
      Map<String, long[]> layout = AdapterLayout.shapes(set.config(), d);
      List<FloatTensor> tensors = set.tensors();
      assertThat(tensors).extracting(FloatTensor::name).containsExactlyElementsOf(layout.keySet());
      for (FloatTensor t : tensors) {
        assertThat(t.shape()).as(t.name()).isEqualTo(layout.get(t.name()));
      }
      long sum = tensors.stream().mapToLong(FloatTensor::size).sum();
      assertThat(set.parameterCount())
          .isEqualTo(sum)
          .isEqualTo(expectedParameterCount(d))
          .isEqualTo(set.config().parameterCount(d));
      assertThat(set.trainableParameters()).hasSize(tensors.size());
    }
  }

  @Test
  void everyModuleKeepsTheSublayerShape() {
    int d = backbone.config().hiddenSize();
    try (AdapterSet set = newAdapterSet();
        NDManager m = backbone.newManager()) {
      NDArray o = m.randomNormal(new Shape(2, 5, d));
      set.modules()
          .forEach(
              (point, module) -> {
                assertThat(module.point()).isEqualTo(point);
                assertThat(set.apply(point, o).getShape()).as("%s", point).isEqualTo(o.getShape());
              });
      NDArray pooled = m.randomNormal(new Shape(3, d));
      assertThat(set.head(pooled).getShape()).isEqualTo(new Shape(3, d));
    }
  }

  @Test
  void oneBackwardPassReachesEveryTrainableParameterAndNothingFrozen() {
    List<NDArray> frozen = new ArrayList<>(backbone.encoder().parameters());
    frozen.addAll(otherFrozenParameters());
    List<float[]> before = frozen.stream().map(NDArray::toFloatArray).toList();
    TokenBatch batch = backbone.tokenizer().encode(sentences, 32, Truncation.KEEP_END);
    try (AdapterSet set = newAdapterSet();
        NDManager m = backbone.newManager()) {
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDArray e = set.encode(m, batch, true);
        assertThat(e.getShape()).isEqualTo(new Shape(8, backbone.config().hiddenSize()));
        gc.backward(inBatchLoss(m, e));
      }
      List<NDArray> trainable = set.trainableParameters();
      assertThat(trainable).isNotEmpty();
      for (NDArray p : trainable) {
        assertThat(p.hasGradient()).as("%s has a gradient", p.getName()).isTrue();
        float g = p.getGradient().abs().sum().getFloat();
        assertThat(g).as("|gradient| of %s", p.getName()).isPositive().isFinite();
      }
    }
    assertThat(frozen).noneMatch(NDArray::hasGradient);
    for (int i = 0; i < frozen.size(); i++) {
      assertThat(frozen.get(i).toFloatArray())
          .as("frozen parameter %d bytes", i)
          .isEqualTo(before.get(i));
    }
  }

  @Test
  void saveAndLoadGiveIdenticalOutputsAndManifest() throws Exception {
    Provenance provenance =
        new Provenance(
            List.of(new Provenance.TrainingFile("bst/train_turns.csv", "0".repeat(64))),
            100L,
            42L,
            1e-3,
            0.5,
            Map.of("optimizer", "adamax"));
    try (AdapterSet set = newAdapterSet()) {
      perturb(set, 11);
      AdapterManifest saved = AdapterFiles.save(set, tmp.resolve(set.skill()), provenance);
      float[][] expected = set.embed(sentences, EncodeOptions.defaults());
      try (AdapterSet loaded = load(tmp.resolve(set.skill()))) {
        assertThat(loaded.isTrainable()).isFalse();
        assertThat(loaded.config()).isEqualTo(set.config());
        assertThat(loaded.tensors()).isEqualTo(set.tensors());
        assertThat(loaded.embed(sentences, EncodeOptions.defaults())).isEqualTo(expected);
      }
      AdapterManifest read = AdapterFiles.readManifest(tmp.resolve(set.skill()));
      assertThat(read).isEqualTo(saved);
      assertThat(read.provenance()).isEqualTo(provenance);
      assertThat(read.backbone().fingerprint()).isEqualTo(backbone.fingerprint());
      assertThat(read.parameterCount()).isEqualTo(set.parameterCount());
    }
  }

  @Test
  void theSameSeedGivesTheSameWeights() {
    try (AdapterSet a = newAdapterSet();
        AdapterSet b = newAdapterSet()) {
      assertThat(a.tensors()).isEqualTo(b.tensors());
      assertThat(a.weightsFingerprint()).isEqualTo(b.weightsFingerprint());
    }
  }

  /** Cross-entropy of the first half of the rows against the second half (in-batch negatives). */
  static NDArray inBatchLoss(NDManager m, NDArray e) {
    long n = e.getShape().get(0) / 2;
    NDArray contexts = e.get("0:{}", n);
    NDArray responses = e.get("{}:", n);
    NDArray logp = contexts.matMul(responses.transpose()).mul(20f).logSoftmax(1);
    return logp.mul(m.eye((int) n)).sum().neg().div(n);
  }

  /** Adds seeded N(0, 0.05²) noise to every parameter, as training would move them. */
  static void perturb(AdapterSet set, long seed) {
    boolean wasTrainable = set.isTrainable();
    set.setTrainable(false);
    Random r = new Random(seed);
    try (NDManager m = set.backbone().newManager()) {
      for (NDArray p : set.parameters()) {
        float[] noise = new float[(int) p.size()];
        for (int i = 0; i < noise.length; i++) {
          noise[i] = (float) (r.nextGaussian() * 0.05);
        }
        p.addi(m.create(noise, p.getShape()));
      }
    }
    set.setTrainable(wasTrainable);
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
