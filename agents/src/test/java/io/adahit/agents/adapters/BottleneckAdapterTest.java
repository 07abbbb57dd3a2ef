package io.adahit.agents.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.adahit.agents.backbone.EncodeOptions;
import io.adahit.agents.backbone.HookPoint;
import io.adahit.agents.backbone.HookPoint.Position;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Houlsby adapters with the defaults: da=64, relu, every layer, both positions. */
class BottleneckAdapterTest extends AdapterContractTest {

  @Override
  protected AdapterSet newAdapterSet() {
    return AdapterSet.create(backbone, AdapterConfig.houlsby("bst", 6), AdapterInit.seeded(7));
  }

  @Override
  protected long expectedParameterCount(int d) {
    int da = 64;
    return 6 * 2 * (2L * d * da + d + da);
  }

  @Test
  void defaultSetHas595200ParametersAbout2Point6PercentOfTheBackbone() {
    try (AdapterSet set = newAdapterSet()) {
      assertThat(set.parameterCount()).isEqualTo(595_200L);
      assertThat(backbone.parameterCount()).isEqualTo(22_565_376L);
      assertThat((double) set.parameterCount() / backbone.parameterCount())
          .isBetween(0.0263, 0.0264);
      assertThat(set.modules()).hasSize(12);
      assertThat(set.config().firstAdaptedLayer(6)).isZero();
    }
  }

  @Test
  void aModuleActsOnlyAtItsOwnHookPoint() {
    HookPoint top = new HookPoint(5, Position.AFTER_FEED_FORWARD);
    try (AdapterSet set = newAdapterSet();
        NDManager m = backbone.newManager()) {
      perturb(set, 3);
      AdapterModule module = set.module(top).orElseThrow();
      assertThat(module).isInstanceOf(BottleneckAdapter.class);
      NDArray o = m.randomNormal(new Shape(1, 3, 384));
      assertThat(module.apply(new HookPoint(4, Position.AFTER_FEED_FORWARD), o)).isSameAs(o);
      assertThat(module.apply(top, o).toFloatArray()).isNotEqualTo(o.toFloatArray());
      assertThat(module.layerNorm(top)).isNull();
      float[] alone =
          backbone.embed(List.of("i like to ski."), EncodeOptions.defaults(), module)[0];
      float[] plain = backbone.embed(List.of("i like to ski."), EncodeOptions.defaults())[0];
      assertThat(alone).isNotEqualTo(plain);
    }
  }

  @Test
  void onlyTheConfiguredLayersAndPositionsGetModules() {
    AdapterConfig c =
        AdapterConfig.houlsby("bst", 6)
            .withTopLayers(2)
            .withPositions(Set.of(Position.AFTER_FEED_FORWARD))
            .withBottleneck(16);
    try (AdapterSet set = AdapterSet.create(backbone, c, AdapterInit.seeded(1));
        NDManager m = backbone.newManager()) {
      assertThat(set.modules().keySet())
          .containsExactly(
              new HookPoint(4, Position.AFTER_FEED_FORWARD),
              new HookPoint(5, Position.AFTER_FEED_FORWARD));
      assertThat(set.parameterCount()).isEqualTo(2 * (2L * 384 * 16 + 384 + 16));
      NDArray o = m.randomNormal(new Shape(1, 2, 384));
      assertThat(set.apply(new HookPoint(5, Position.AFTER_ATTENTION), o)).isSameAs(o);
      assertThat(set.config().firstAdaptedLayer(6)).isEqualTo(4);
    }
  }

  @Test
  void zeroUpProjectionsMakeAnExactIdentity() {
    try (AdapterSet set =
        AdapterSet.create(
            backbone, AdapterConfig.houlsby("bst", 6), AdapterInit.seeded(7).withZeroUp())) {
      assertThat(set.embed(sentences, EncodeOptions.defaults()))
          .isEqualTo(backbone.embed(sentences, EncodeOptions.defaults()));
    }
  }

  @Test
  void aFrozenSetExposesNoTrainableParameters() {
    try (AdapterSet set = newAdapterSet()) {
      set.setTrainable(false);
      assertThat(set.trainableParameters()).isEmpty();
      assertThat(set.parameters()).hasSize(48).noneMatch(NDArray::hasGradient);
      set.setTrainable(true);
      assertThat(set.trainableParameters()).hasSize(48);
    }
  }
}
