package io.adahit.agents.backbone;

import ai.djl.ndarray.NDArray;

/**
 * Modules inserted at the encoder's hook points: given a sub-layer's projected output {@code F(h)}
 * of shape [batch, seq, d], returns what the block adds to its residual stream (an adapter returns
 * {@code Ada(F(h))}). The encoder never changes for a new kind of adapter: the adapters implement
 * this.
 *
 * <pre>{@code
 * LayerHooks scaleTopLayer = (point, out) ->
 *     point.layer() == 5 ? out.mul(gate) : out;
 * }</pre>
 */
@FunctionalInterface
public interface LayerHooks {

  /** No module anywhere: the encoder is exactly the pretrained model. */
  LayerHooks NONE = (point, output) -> output;

  /**
   * @param point where in the network this is called
   * @param sublayerOutput the sub-layer's output after its final projection, [batch, seq, d]
   * @return the tensor added to the residual stream, same shape
   */
  NDArray apply(HookPoint point, NDArray sublayerOutput);

  /**
   * LayerNorm parameters to use right after {@code point} instead of the backbone's, for adapters
   * that train their own LayerNorm (Houlsby et al. 2019 train the layer norms with the adapters).
   *
   * @return {@code {gamma, beta}}, each [d], or null to keep the backbone's
   */
  default NDArray[] layerNorm(HookPoint point) {
    return null;
  }
}
