package io.adahit.agents.adapters;

import ai.djl.ndarray.NDArray;
import io.adahit.agents.backbone.HookPoint;

/**
 * A Houlsby et al. (2019) adapter at one hook point, inserted after a sub-layer's output projection
 * and before the residual add and LayerNorm ({@code h' = LN(h + Ada(F(h)))}):
 *
 * <pre>
 *   Ada(o) = o + W_up · act(W_down · o + b_down) + b_up      W_down: da×d, W_up: d×da
 * </pre>
 *
 * <p>2·d·da + d + da parameters, plus 2·d when the skill owns the LayerNorm after this point
 * (Houlsby et al. train the layer norms with the adapters). Created and owned by an {@link
 * AdapterSet}, whose manager holds the parameters:
 *
 * <pre>{@code
 * AdapterSet bst = AdapterSet.create(backbone, AdapterConfig.houlsby("bst", 6), AdapterInit.seeded(1));
 * BottleneckAdapter a = (BottleneckAdapter) bst.module(new HookPoint(0, AFTER_ATTENTION)).orElseThrow();
 * }</pre>
 */
public final class BottleneckAdapter implements AdapterModule {

  private final HookPoint point;
  private final Bottleneck bottleneck;
  private final NDArray[] layerNorm;

  BottleneckAdapter(HookPoint point, Bottleneck bottleneck, NDArray[] layerNorm) {
    this.point = point;
    this.bottleneck = bottleneck;
    this.layerNorm = layerNorm;
  }

  @Override
  public HookPoint point() {
    return point;
  }

  @Override
  public NDArray forward(NDArray o) {
    return bottleneck.withSkip(o);
  }

  @Override
  public NDArray[] layerNorm() {
    return layerNorm == null ? null : layerNorm.clone();
  }

  /** {@code act(W_down · x + b_down)}, for a hierarchical adapter built on this one. */
  NDArray down(NDArray x) {
    return bottleneck.down(x);
  }

  /** {@code W_up · z + b_up}, for a hierarchical adapter built on this one. */
  NDArray up(NDArray z) {
    return bottleneck.up(z);
  }

  @Override
  public String toString() {
    return "BottleneckAdapter[" + point + "]";
  }
}
