package io.adahit.agents.adapters;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import java.util.List;
import java.util.Map;

/**
 * One bottleneck: a down-projection to width da with its activation, and an up-projection back,
 * with weights [out, in] as {@link Linear#linear} expects. The building block of both adapter
 * kinds; results of its operations live on the input's manager.
 */
final class Bottleneck {

  private final NDArray downWeight;
  private final NDArray downBias;
  private final NDArray upWeight;
  private final NDArray upBias;
  private final AdapterActivation activation;

  private Bottleneck(
      NDArray downWeight,
      NDArray downBias,
      NDArray upWeight,
      NDArray upBias,
      AdapterActivation activation) {
    this.downWeight = downWeight;
    this.downBias = downBias;
    this.upWeight = upWeight;
    this.upBias = upBias;
    this.activation = activation;
  }

  /** The four tensors under {@code prefix} (see {@link AdapterLayout}). */
  static Bottleneck of(Map<String, NDArray> params, String prefix, AdapterActivation activation) {
    return new Bottleneck(
        require(params, prefix + AdapterLayout.DOWN_WEIGHT),
        require(params, prefix + AdapterLayout.DOWN_BIAS),
        require(params, prefix + AdapterLayout.UP_WEIGHT),
        require(params, prefix + AdapterLayout.UP_BIAS),
        activation);
  }

  static NDArray require(Map<String, NDArray> params, String name) {
    NDArray a = params.get(name);
    if (a == null) {
      throw new IllegalArgumentException("adapter: tensor '" + name + "' is missing");
    }
    return a;
  }

  /** {@code act(W_down · x + b_down)}. */
  NDArray down(NDArray x) {
    return activation.apply(Linear.linear(x, downWeight, downBias).singletonOrThrow());
  }

  /** {@code W_up · z + b_up}. */
  NDArray up(NDArray z) {
    return Linear.linear(z, upWeight, upBias).singletonOrThrow();
  }

  /** {@code x + up(down(x))}: the bottleneck with its skip connection. */
  NDArray withSkip(NDArray x) {
    return x.add(up(down(x)));
  }

  List<NDArray> parameters() {
    return List.of(downWeight, downBias, upWeight, upBias);
  }
}
