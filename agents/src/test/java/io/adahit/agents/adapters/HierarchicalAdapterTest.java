package io.adahit.agents.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import io.adahit.agents.backbone.EncodeOptions;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * AdaHIT: task sub-adapters around a frozen base adapter. The base here has large random weights,
 * standing in for a multi-task trained one, so that "equals the base" and "equals the backbone" are
 * different claims.
 */
class HierarchicalAdapterTest extends AdapterContractTest {

  private static AdapterSet baseSet;

  @BeforeAll
  static void createBase() {
    AdapterConfig c = AdapterConfig.houlsby("base", 6).withBottleneck(32).withOwnLayerNorm(true);
    baseSet = AdapterSet.create(backbone, c, new AdapterInit(3, 0.05, 0.05));
    perturb(baseSet, 5);
    baseSet.setTrainable(false);
  }

  @AfterAll
  static void closeBase() {
    baseSet.close();
  }

  @Override
  protected AdapterSet newAdapterSet() {
    return AdapterSet.create(
        backbone,
        AdapterConfig.hierarchical("bst", baseSet.config(), 16, 8),
        AdapterInit.seeded(9),
        baseSet);
  }

  @Override
  protected AdapterSet base() {
    return baseSet;
  }

  @Override
  protected float[][] referenceEmbeddings(List<String> texts) {
    return baseSet.embed(texts, EncodeOptions.defaults());
  }

  @Override
  protected List<NDArray> otherFrozenParameters() {
    return baseSet.parameters();
  }

  @Override
  protected long expectedParameterCount(int d) {
    int da = 32;
    int t1 = 16;
    int t2 = 8;
    return 12 * (2L * d * t1 + d + t1 + 2L * da * t2 + da + t2);
  }

  @Test
  void theBaseChangesTheBackboneSoTheContractIsNotTrivial() {
    float[][] base = baseSet.embed(sentences, EncodeOptions.defaults());
    float[][] plain = backbone.embed(sentences, EncodeOptions.defaults());
    assertThat(cosine(base[0], plain[0])).isLessThan(0.999);
  }

  @Test
  void identitySubAdaptersGiveExactlyTheBaseAdapter() {
    try (AdapterSet set =
        AdapterSet.create(
            backbone,
            AdapterConfig.hierarchical("bst", baseSet.config(), 16, 8),
            AdapterInit.seeded(9).withZeroUp(),
            baseSet)) {
      assertThat(set.embed(sentences, EncodeOptions.defaults()))
          .isEqualTo(baseSet.embed(sentences, EncodeOptions.defaults()));
    }
  }

  @Test
  void withoutItsOwnLayerNormItUsesTheBases() {
    try (AdapterSet set = newAdapterSet()) {
      set.modules()
          .forEach(
              (point, module) -> {
                assertThat(module).isInstanceOf(HierarchicalAdapter.class);
                assertThat(module.layerNorm()[0]).isSameAs(baseSet.layerNorm(point)[0]);
              });
      assertThat(set.totalParameterCount())
          .isEqualTo(set.parameterCount() + baseSet.parameterCount());
      assertThat(set.base()).containsSame(baseSet);
    }
  }

  @Test
  void aTrainableBaseIsRefused() {
    try (AdapterSet other =
        AdapterSet.create(backbone, baseSet.config().withSkill("other"), AdapterInit.seeded(1))) {
      assertThatThrownBy(
              () ->
                  AdapterSet.create(
                      backbone,
                      AdapterConfig.hierarchical("bst", other.config(), 16, 8),
                      AdapterInit.seeded(1),
                      other))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("adapter 'bst': base adapter 'other' must be frozen");
    }
  }

  @Test
  void aConfigThatDoesNotMatchTheBaseIsRefused() {
    AdapterConfig wider =
        AdapterConfig.hierarchical("bst", baseSet.config(), 16, 8).withBottleneck(64);
    assertThatThrownBy(() -> AdapterSet.create(backbone, wider, AdapterInit.seeded(1), baseSet))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("adapter 'bst': bottleneck must equal the base adapter 'base''s 32, found 64");
    assertThatThrownBy(
            () ->
                AdapterSet.create(
                    backbone,
                    AdapterConfig.hierarchical("bst", baseSet.config(), 16, 8),
                    AdapterInit.seeded(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("adapter 'bst': kind hierarchical needs a base adapter, found none");
  }
}
