package io.adahit.agents.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import io.adahit.agents.backbone.HookPoint;
import io.adahit.agents.backbone.HookPoint.Position;
import org.junit.jupiter.api.Test;

/** Houlsby adapters that train their own LayerNorms, GELU, top two layers only. */
class OwnLayerNormAdapterTest extends AdapterContractTest {

  @Override
  protected AdapterSet newAdapterSet() {
    AdapterConfig c =
        AdapterConfig.houlsby("convai2", 6)
            .withTopLayers(2)
            .withActivation(AdapterActivation.GELU)
            .withOwnLayerNorm(true)
            .withBottleneck(32);
    return AdapterSet.create(backbone, c, AdapterInit.seeded(5));
  }

  @Override
  protected long expectedParameterCount(int d) {
    int da = 32;
    return 2 * 2 * (2L * d * da + d + da + 2L * d);
  }

  @Test
  void ownedLayerNormsStartAsCopiesOfTheBackbonesAndAreSeparateArrays() {
    try (AdapterSet set = newAdapterSet()) {
      for (HookPoint point : set.config().hookPoints()) {
        NDArray[] own = set.layerNorm(point);
        NDArray[] backboneLn = backbone.encoder().layerNormParams(point);
        assertThat(own[0].toFloatArray()).isEqualTo(backboneLn[0].toFloatArray());
        assertThat(own[1].toFloatArray()).isEqualTo(backboneLn[1].toFloatArray());
        assertThat(own[0]).isNotSameAs(backboneLn[0]);
        assertThat(own[0].hasGradient()).isTrue();
      }
      assertThat(set.layerNorm(new HookPoint(0, Position.AFTER_ATTENTION))).isNull();
    }
  }
}
