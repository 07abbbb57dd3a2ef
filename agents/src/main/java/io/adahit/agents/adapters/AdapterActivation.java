package io.adahit.agents.adapters;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The non-linearity between an adapter's down- and up-projection, {@code act} in {@code Ada(o) = o
 * + W_up · act(W_down · o + b_down) + b_up} (Houlsby et al. 2019, Eq. 1 of the seed paper). Written
 * in {@code adapter_config.json} as {@code "relu"}, {@code "gelu"} or {@code "tanh"}.
 *
 * <pre>{@code
 * AdapterConfig c = AdapterConfig.houlsby("bst", 6).withActivation(AdapterActivation.GELU);
 * }</pre>
 */
public enum AdapterActivation {
  /** max(0, x), the default (AdapterHub's {@code non_linearity: relu}). */
  @JsonProperty("relu")
  RELU,
  /** Exact (erf) GELU, as the backbone's feed-forward network uses. */
  @JsonProperty("gelu")
  GELU,
  /** Hyperbolic tangent. */
  @JsonProperty("tanh")
  TANH;

  /** Applies the activation element-wise; the result lives on {@code x}'s manager. */
  public NDArray apply(NDArray x) {
    return switch (this) {
      case RELU -> Activation.relu(x);
      case GELU -> Activation.gelu(x);
      case TANH -> Activation.tanh(x);
    };
  }
}
