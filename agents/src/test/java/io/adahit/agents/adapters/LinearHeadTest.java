package io.adahit.agents.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.adahit.agents.backbone.EncodeOptions;
import io.adahit.agents.backbone.HookPoint;
import org.junit.jupiter.api.Test;

/** The FE baseline: a linear head d→d on the pooled embedding, the backbone untouched. */
class LinearHeadTest extends AdapterContractTest {

  @Override
  protected AdapterSet newAdapterSet() {
    return AdapterSet.create(backbone, AdapterConfig.linearHead("ed"), AdapterInit.seeded(1));
  }

  @Override
  protected long expectedParameterCount(int d) {
    return (long) d * d + d;
  }

  @Test
  void anUntrainedHeadIsTheIdentityAndAddsNoHooks() {
    try (AdapterSet set = newAdapterSet()) {
      assertThat(set.modules()).isEmpty();
      assertThat(set.layerNorm(new HookPoint(0, HookPoint.Position.AFTER_ATTENTION))).isNull();
      float[][] plain = backbone.embed(sentences, EncodeOptions.defaults());
      float[][] headed = set.embed(sentences, EncodeOptions.defaults());
      for (int i = 0; i < plain.length; i++) {
        assertThat(cosine(plain[i], headed[i])).isGreaterThan(1 - 1e-7);
      }
    }
  }

  @Test
  void theHeadRefusesInputOfTheWrongWidth() {
    try (AdapterSet set = newAdapterSet();
        NDManager m = backbone.newManager()) {
      assertThatThrownBy(() -> set.head(m.zeros(new Shape(2, 100))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("linear head: input must be [batch, 384], found (2, 100)");
    }
  }
}
