package io.adahit.agents.adapters;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.adahit.agents.backbone.BertConfig;
import io.adahit.agents.backbone.HookPoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The architecture of one skill's modules: which kind, how wide, where in the backbone. Immutable
 * and validated on construction; {@link #validateFor(BertConfig)} checks it against a backbone's
 * width and depth. It is the {@code "config"} object of {@code adapter_config.json}.
 *
 * <pre>{@code
 * AdapterConfig ada = AdapterConfig.houlsby("bst", 6)          // da=64, relu, all layers, both positions
 *     .withTopLayers(2).withActivation(AdapterActivation.GELU);
 * AdapterConfig hit = AdapterConfig.hierarchical("bst", baseConfig, 16, 8);
 * AdapterConfig fe = AdapterConfig.linearHead("bst");
 * AdapterConfig fusion = AdapterConfig.fusion("bst_fusion", List.of(4, 5), List.of(Position.values()));
 * }</pre>
 *
 * <p>Houlsby et al. 2019: {@code Ada(o) = o + W_up · act(W_down · o + b_down) + b_up} at every hook
 * point in {@code layers} × {@code positions}; AdaHIT: {@code Ada_bs(o) = o + W_up ·
 * Ada_ts2(act(W_down · Ada_ts1(o)))} with Ada_ts1 of width {@code ts1Bottleneck} on d and Ada_ts2
 * of width {@code ts2Bottleneck} on da.
 *
 * @param skill skill name: letters, digits, '_' and '-' (it appears in tensor names)
 * @param kind which module
 * @param bottleneck da, the bottleneck width (0 for {@link AdapterKind#LINEAR_HEAD} and {@link
 *     AdapterKind#FUSION})
 * @param activation act between the projections (null for the linear head and fusion)
 * @param layers adapted (for fusion: fused) blocks, 0-based, ascending (empty for the linear head)
 * @param positions adapted (fused) sub-layers of each block (empty for the linear head)
 * @param ownsLayerNorm the skill trains its own copy of the LayerNorm after each hook point
 * @param ts1Bottleneck width of the task sub-adapter on d (hierarchical only, else 0)
 * @param ts2Bottleneck width of the task sub-adapter on da (hierarchical only, else 0)
 */
public record AdapterConfig(
    @JsonProperty("skill") String skill,
    @JsonProperty("kind") AdapterKind kind,
    @JsonProperty("bottleneck") int bottleneck,
    @JsonProperty("activation") AdapterActivation activation,
    @JsonProperty("layers") List<Integer> layers,
    @JsonProperty("positions") List<HookPoint.Position> positions,
    @JsonProperty("owns_layer_norm") boolean ownsLayerNorm,
    @JsonProperty("ts1_bottleneck") int ts1Bottleneck,
    @JsonProperty("ts2_bottleneck") int ts2Bottleneck) {

  /** Houlsby et al.'s and the seed paper's da. */
  public static final int DEFAULT_BOTTLENECK = 64;

  private static final Pattern SKILL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

  public AdapterConfig {
    if (skill == null || !SKILL_NAME.matcher(skill).matches()) {
      throw new IllegalArgumentException(
          "adapter: skill must match "
              + SKILL_NAME.pattern()
              + " (it is part of tensor names), found "
              + (skill == null ? "null" : "'" + skill + "'"));
    }
    if (kind == null) {
      throw new IllegalArgumentException(
          "adapter '"
              + skill
              + "': kind is required (one of "
              + Arrays.stream(AdapterKind.values()).map(AdapterKind::fileName).toList()
              + "), found null");
    }
    layers = sortedDistinct(skill, layers);
    positions = sortedDistinctPositions(skill, positions);
    if (kind == AdapterKind.LINEAR_HEAD) {
      unused(skill, kind, "bottleneck", bottleneck != 0, bottleneck);
      unused(skill, kind, "activation", activation != null, activation);
      unused(skill, kind, "layers", !layers.isEmpty(), layers);
      unused(skill, kind, "positions", !positions.isEmpty(), positions);
      unused(skill, kind, "owns_layer_norm", ownsLayerNorm, true);
      unused(skill, kind, "ts1_bottleneck", ts1Bottleneck != 0, ts1Bottleneck);
      unused(skill, kind, "ts2_bottleneck", ts2Bottleneck != 0, ts2Bottleneck);
    } else if (kind == AdapterKind.FUSION) {
      unused(skill, kind, "bottleneck", bottleneck != 0, bottleneck);
      unused(skill, kind, "activation", activation != null, activation);
      unused(skill, kind, "owns_layer_norm", ownsLayerNorm, true);
      unused(skill, kind, "ts1_bottleneck", ts1Bottleneck != 0, ts1Bottleneck);
      unused(skill, kind, "ts2_bottleneck", ts2Bottleneck != 0, ts2Bottleneck);
      requirePoints(skill, layers, positions);
    } else {
      atLeastOne(skill, "bottleneck", bottleneck);
      if (activation == null) {
        throw new IllegalArgumentException(
            "adapter '"
                + skill
                + "': activation is required for kind "
                + kind.fileName()
                + " (one of relu, gelu, tanh)");
      }
      requirePoints(skill, layers, positions);
      if (kind == AdapterKind.HIERARCHICAL) {
        atLeastOne(skill, "ts1_bottleneck", ts1Bottleneck);
        atLeastOne(skill, "ts2_bottleneck", ts2Bottleneck);
      } else {
        unused(skill, kind, "ts1_bottleneck", ts1Bottleneck != 0, ts1Bottleneck);
        unused(skill, kind, "ts2_bottleneck", ts2Bottleneck != 0, ts2Bottleneck);
      }
    }
  }

  /**
   * AdapterFusion for {@code skill} at {@code layers} × {@code positions}: the hook points where it
   * attends over the fused skills' adapters (see {@link FusionAdapter}); no width, activation or
   * LayerNorm of its own. The fused skills themselves are given to {@link AdapterSet#fusion}.
   */
  public static AdapterConfig fusion(
      String skill, List<Integer> layers, List<HookPoint.Position> positions) {
    return new AdapterConfig(skill, AdapterKind.FUSION, 0, null, layers, positions, false, 0, 0);
  }

  /**
   * AdapterFusion for {@code skill} over adapters with the configs {@code fused}, at every hook
   * point they all adapt (the blocks and positions they share).
   *
   * @throws IllegalArgumentException if there is nothing to fuse or the adapters share no point
   */
  public static AdapterConfig fusionOf(String skill, List<AdapterConfig> fused) {
    if (fused.isEmpty()) {
      throw new IllegalArgumentException(
          "adapter '" + skill + "': a fusion needs at least one adapter to fuse, found none");
    }
    TreeSet<Integer> layers = new TreeSet<>(fused.get(0).layers());
    EnumSet<HookPoint.Position> positions = EnumSet.noneOf(HookPoint.Position.class);
    positions.addAll(fused.get(0).positions());
    for (AdapterConfig c : fused) {
      layers.retainAll(c.layers());
      positions.retainAll(c.positions());
    }
    if (layers.isEmpty() || positions.isEmpty()) {
      StringBuilder what = new StringBuilder();
      for (AdapterConfig c : fused) {
        what.append(what.length() == 0 ? "" : "; ")
            .append('\'')
            .append(c.skill())
            .append("' (")
            .append(c.kind().fileName())
            .append(") adapts layers ")
            .append(c.layers())
            .append(" at ")
            .append(c.positions());
      }
      throw new IllegalArgumentException(
          "adapter '" + skill + "': the adapters to fuse share no hook point: " + what);
    }
    return fusion(skill, List.copyOf(layers), List.copyOf(positions));
  }

  /**
   * Houlsby adapters: da=64, relu, every block of a {@code numLayers}-block backbone, both
   * positions.
   */
  public static AdapterConfig houlsby(String skill, int numLayers) {
    if (numLayers < 1) {
      throw new IllegalArgumentException(
          "adapter '" + skill + "': numLayers must be >= 1, found " + numLayers);
    }
    List<Integer> all = new ArrayList<>();
    for (int i = 0; i < numLayers; i++) {
      all.add(i);
    }
    return new AdapterConfig(
        skill,
        AdapterKind.BOTTLENECK,
        DEFAULT_BOTTLENECK,
        AdapterActivation.RELU,
        all,
        List.of(HookPoint.Position.values()),
        false,
        0,
        0);
  }

  /**
   * AdaHIT sub-adapters for {@code skill} on a base bottleneck adapter: same da, activation, layers
   * and positions as the base, task sub-adapters of widths {@code ts1} (on d) and {@code ts2} (on
   * da).
   */
  public static AdapterConfig hierarchical(String skill, AdapterConfig base, int ts1, int ts2) {
    if (base.kind() != AdapterKind.BOTTLENECK) {
      throw new IllegalArgumentException(
          "adapter '"
              + skill
              + "': the base adapter must be of kind bottleneck, found '"
              + base.skill()
              + "' of kind "
              + base.kind().fileName());
    }
    return new AdapterConfig(
        skill,
        AdapterKind.HIERARCHICAL,
        base.bottleneck(),
        base.activation(),
        base.layers(),
        base.positions(),
        false,
        ts1,
        ts2);
  }

  /** The feature-extraction baseline: a linear head on the pooled embedding. */
  public static AdapterConfig linearHead(String skill) {
    return new AdapterConfig(
        skill, AdapterKind.LINEAR_HEAD, 0, null, List.of(), List.of(), false, 0, 0);
  }

  public AdapterConfig withSkill(String s) {
    return with(s, bottleneck, activation, layers, positions, ownsLayerNorm);
  }

  public AdapterConfig withBottleneck(int da) {
    return with(skill, da, activation, layers, positions, ownsLayerNorm);
  }

  public AdapterConfig withActivation(AdapterActivation a) {
    return with(skill, bottleneck, a, layers, positions, ownsLayerNorm);
  }

  public AdapterConfig withLayers(List<Integer> l) {
    return with(skill, bottleneck, activation, l, positions, ownsLayerNorm);
  }

  /**
   * Keeps only the top {@code n} of the current layers (seed 000, Table 3: upper layers matter
   * most).
   */
  public AdapterConfig withTopLayers(int n) {
    if (n < 1 || n > layers.size()) {
      throw new IllegalArgumentException(
          "adapter '" + skill + "': top layers must be in 1.." + layers.size() + ", found " + n);
    }
    return withLayers(layers.subList(layers.size() - n, layers.size()));
  }

  public AdapterConfig withPositions(Set<HookPoint.Position> p) {
    return with(skill, bottleneck, activation, layers, List.copyOf(p), ownsLayerNorm);
  }

  public AdapterConfig withOwnLayerNorm(boolean owns) {
    return with(skill, bottleneck, activation, layers, positions, owns);
  }

  /** A copy with these fields; kind and the hierarchical widths stay. */
  private AdapterConfig with(
      String s,
      int da,
      AdapterActivation a,
      List<Integer> l,
      List<HookPoint.Position> p,
      boolean owns) {
    return new AdapterConfig(s, kind, da, a, l, p, owns, ts1Bottleneck, ts2Bottleneck);
  }

  /** Every adapted hook point, layer by layer, attention before feed-forward. */
  public List<HookPoint> hookPoints() {
    List<HookPoint> out = new ArrayList<>();
    for (int layer : layers) {
      for (HookPoint.Position p : positions) {
        out.add(new HookPoint(layer, p));
      }
    }
    return out;
  }

  /**
   * The lowest adapted block ({@code numLayers} when no block is adapted): blocks below it are the
   * pretrained ones, so a trainer may cache their output.
   */
  public int firstAdaptedLayer(int numLayers) {
    return layers.isEmpty() ? numLayers : layers.get(0);
  }

  /**
   * Parameters this config stores for a backbone of width {@code hiddenSize} (θΔ of the skill):
   * {@code 2·d·da + d + da} per Houlsby adapter, {@code 2·d·t1 + d + t1 + 2·da·t2 + da + t2} per
   * hierarchical point, plus {@code 2·d} per owned LayerNorm; {@code d² + d} for the linear head;
   * {@code 3·d² + d} per fused point (query with bias, key and value, whatever the number of fused
   * skills).
   */
  public long parameterCount(int hiddenSize) {
    return AdapterLayout.parameterCount(this, hiddenSize);
  }

  /**
   * Checks the widths and layers against a backbone.
   *
   * @throws IllegalArgumentException naming the field, the allowed range and the value found
   */
  public AdapterConfig validateFor(BertConfig backbone) {
    int d = backbone.hiddenSize();
    if (kind == AdapterKind.BOTTLENECK || kind == AdapterKind.HIERARCHICAL) {
      inRange("bottleneck", bottleneck, d);
    }
    if (!layers.isEmpty()) {
      int last = layers.get(layers.size() - 1);
      if (last >= backbone.numLayers()) {
        throw new IllegalArgumentException(
            "adapter '"
                + skill
                + "': layers must be in 0.."
                + (backbone.numLayers() - 1)
                + ", found "
                + last);
      }
    }
    if (kind == AdapterKind.HIERARCHICAL) {
      inRange("ts1_bottleneck", ts1Bottleneck, d);
      inRange("ts2_bottleneck", ts2Bottleneck, bottleneck);
    }
    return this;
  }

  private void inRange(String field, int value, int max) {
    if (value < 1 || value > max) {
      throw new IllegalArgumentException(
          "adapter '" + skill + "': " + field + " must be in 1.." + max + ", found " + value);
    }
  }

  private static List<Integer> sortedDistinct(String skill, List<Integer> layers) {
    if (layers == null) {
      return List.of();
    }
    TreeSet<Integer> set = new TreeSet<>();
    for (Integer l : layers) {
      if (l == null || l < 0) {
        throw new IllegalArgumentException(
            "adapter '" + skill + "': layers must be >= 0, found " + l);
      }
      if (!set.add(l)) {
        throw new IllegalArgumentException(
            "adapter '" + skill + "': layers must be distinct, found " + l + " twice");
      }
    }
    return List.copyOf(set);
  }

  private static List<HookPoint.Position> sortedDistinctPositions(
      String skill, List<HookPoint.Position> positions) {
    if (positions == null) {
      return List.of();
    }
    EnumSet<HookPoint.Position> set = EnumSet.noneOf(HookPoint.Position.class);
    for (HookPoint.Position p : positions) {
      if (p == null) {
        throw new IllegalArgumentException(
            "adapter '"
                + skill
                + "': positions must be among "
                + List.of(HookPoint.Position.values())
                + ", found null");
      }
      if (!set.add(p)) {
        throw new IllegalArgumentException(
            "adapter '" + skill + "': positions must be distinct, found " + p + " twice");
      }
    }
    return List.copyOf(set);
  }

  private static void requirePoints(
      String skill, List<Integer> layers, List<HookPoint.Position> positions) {
    if (layers.isEmpty()) {
      throw new IllegalArgumentException(
          "adapter '" + skill + "': layers must name at least one block, found []");
    }
    if (positions.isEmpty()) {
      throw new IllegalArgumentException(
          "adapter '"
              + skill
              + "': positions must name at least one of "
              + List.of(HookPoint.Position.values())
              + ", found []");
    }
  }

  private static void atLeastOne(String skill, String field, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(
          "adapter '" + skill + "': " + field + " must be >= 1, found " + value);
    }
  }

  private static void unused(
      String skill, AdapterKind kind, String field, boolean set, Object value) {
    if (set) {
      throw new IllegalArgumentException(
          "adapter '"
              + skill
              + "': "
              + field
              + " is not used by kind "
              + kind.fileName()
              + " and must be unset (0, null or empty), found "
              + value);
    }
  }
}
