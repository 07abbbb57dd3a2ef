package io.adahit.agents.adapters;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The kinds of skill modules on the frozen backbone, as written in {@code adapter_config.json}
 * ({@code "kind": "bottleneck"}). Each kind is one baseline of the seed paper's Table 1.
 *
 * <pre>{@code
 * AdapterConfig c = AdapterConfig.houlsby("bst", 6);   // c.kind() == AdapterKind.BOTTLENECK
 * }</pre>
 */
public enum AdapterKind {
  /** Houlsby et al. 2019 bottleneck adapters at the hook points ("Ada"). */
  @JsonProperty("bottleneck")
  BOTTLENECK,
  /** AdaHIT: task sub-adapters around a frozen base bottleneck adapter. */
  @JsonProperty("hierarchical")
  HIERARCHICAL,
  /** Feature extraction ("FE"): a trained linear head d→d on the pooled embedding, no hooks. */
  @JsonProperty("linear_head")
  LINEAR_HEAD,
  /**
   * AdapterFusion (Pfeiffer et al. 2021): attention over the outputs of several frozen skill
   * adapters at each fused hook point; only the fusion's query, key and value matrices train.
   */
  @JsonProperty("fusion")
  FUSION;

  /** The name used in adapter files. */
  public String fileName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
