package io.adahit.agents.adapters;

import ai.djl.ndarray.NDArray;
import io.adahit.agents.backbone.HookPoint;
import io.adahit.agents.backbone.LayerHooks;

/**
 * A module at one hook point of the backbone ({@link BottleneckAdapter}, {@link
 * HierarchicalAdapter}). As {@link LayerHooks} it acts at its own point and passes every other
 * point through, so one module can be tried alone; a skill's modules are gathered by {@link
 * AdapterSet}, which is what the encoder normally gets.
 *
 * <pre>{@code
 * AdapterModule top = bst.module(new HookPoint(5, Position.AFTER_FEED_FORWARD)).orElseThrow();
 * NDArray hidden = backbone.encoder().forward(m, batch, top);   // only that one adapter
 * }</pre>
 */
public interface AdapterModule extends LayerHooks {

  /** Where this module sits. */
  HookPoint point();

  /**
   * The module on a sub-layer output {@code o} = F(h), [batch, seq, d]: what is added to the
   * residual stream, e.g. {@code Ada(o)}. The result lives on {@code o}'s manager.
   */
  NDArray forward(NDArray sublayerOutput);

  /** The LayerNorm {@code {gamma, beta}} to use after this point, or null for the backbone's. */
  NDArray[] layerNorm();

  @Override
  default NDArray apply(HookPoint point, NDArray sublayerOutput) {
    return point.equals(point()) ? forward(sublayerOutput) : sublayerOutput;
  }

  @Override
  default NDArray[] layerNorm(HookPoint point) {
    return point.equals(point()) ? layerNorm() : null;
  }
}
