package io.adahit.agents.adapters;

import io.adahit.agents.backbone.FloatTensor;
import io.adahit.agents.backbone.HookPoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Tensor names, shapes and initial values of an adapter file, in one place. Names follow
 * AdapterHub's BERT layout where it has one ({@code encoder.layer.{i}.attention.output.adapters.
 * {skill}.adapter_down.0.weight}, {@code ...adapter_up.weight}; after the feed-forward network
 * {@code encoder.layer.{i}.output.adapters.{skill}...}; heads {@code heads.{skill}.0.weight});
 * AdaHIT's sub-adapters add {@code ts1.} / {@code ts2.} under the skill, and a LayerNorm the skill
 * owns is {@code ...adapters.{skill}.layer_norm.weight|bias}; AdapterFusion's query, key and value
 * are {@code encoder.layer.{i}[.attention].output.adapter_fusion_layer.{skill}.query.weight|bias},
 * {@code ...key.weight}, {@code ...value.weight}. Weights are [out, in].
 */
final class AdapterLayout {

  static final String DOWN_WEIGHT = "adapter_down.0.weight";
  static final String DOWN_BIAS = "adapter_down.0.bias";
  static final String UP_WEIGHT = "adapter_up.weight";
  static final String UP_BIAS = "adapter_up.bias";
  static final String LN_WEIGHT = "layer_norm.weight";
  static final String LN_BIAS = "layer_norm.bias";
  static final String TS1 = "ts1.";
  static final String TS2 = "ts2.";
  static final String QUERY_WEIGHT = "query.weight";
  static final String QUERY_BIAS = "query.bias";
  static final String KEY_WEIGHT = "key.weight";
  static final String VALUE_WEIGHT = "value.weight";

  /** What a tensor is, which decides its initial value. */
  enum Role {
    DOWN_WEIGHT,
    UP_WEIGHT,
    ZERO,
    LN_GAMMA,
    LN_BETA,
    IDENTITY,
    FUSION_QUERY_KEY,
    FUSION_VALUE
  }

  /** One tensor of an adapter file. */
  record Spec(String name, long[] shape, Role role, HookPoint point) {
    long size() {
      long n = 1;
      for (long s : shape) {
        n *= s;
      }
      return n;
    }
  }

  private AdapterLayout() {}

  /**
   * {@code encoder.layer.{i}.attention.output.adapters.{skill}.} or {@code
   * encoder.layer.{i}.output.adapters.{skill}.}.
   */
  static String prefix(HookPoint p, String skill) {
    String sub =
        p.position() == HookPoint.Position.AFTER_ATTENTION ? ".attention.output" : ".output";
    return "encoder.layer." + p.layer() + sub + ".adapters." + skill + ".";
  }

  /**
   * AdapterHub's fusion layer names, {@code
   * encoder.layer.{i}.attention.output.adapter_fusion_layer. {skill}.} or {@code
   * encoder.layer.{i}.output.adapter_fusion_layer.{skill}.}, with the fusion's own skill name where
   * AdapterHub writes the comma-joined fused names.
   */
  static String fusionPrefix(HookPoint p, String skill) {
    String sub =
        p.position() == HookPoint.Position.AFTER_ATTENTION ? ".attention.output" : ".output";
    return "encoder.layer." + p.layer() + sub + ".adapter_fusion_layer." + skill + ".";
  }

  static String headPrefix(String skill) {
    return "heads." + skill + ".0.";
  }

  /** Every tensor a config stores for a backbone of width {@code d}, in file order. */
  static List<Spec> specs(AdapterConfig c, int d) {
    List<Spec> out = new ArrayList<>();
    if (c.kind() == AdapterKind.LINEAR_HEAD) {
      String p = headPrefix(c.skill());
      out.add(new Spec(p + "weight", new long[] {d, d}, Role.IDENTITY, null));
      out.add(new Spec(p + "bias", new long[] {d}, Role.ZERO, null));
      return out;
    }
    if (c.kind() == AdapterKind.FUSION) {
      for (HookPoint point : c.hookPoints()) {
        String p = fusionPrefix(point, c.skill());
        out.add(new Spec(p + QUERY_WEIGHT, new long[] {d, d}, Role.FUSION_QUERY_KEY, point));
        out.add(new Spec(p + QUERY_BIAS, new long[] {d}, Role.ZERO, point));
        out.add(new Spec(p + KEY_WEIGHT, new long[] {d, d}, Role.FUSION_QUERY_KEY, point));
        out.add(new Spec(p + VALUE_WEIGHT, new long[] {d, d}, Role.FUSION_VALUE, point));
      }
      return out;
    }
    for (HookPoint point : c.hookPoints()) {
      String p = prefix(point, c.skill());
      if (c.kind() == AdapterKind.BOTTLENECK) {
        bottleneck(out, p, d, c.bottleneck(), point);
      } else {
        bottleneck(out, p + TS1, d, c.ts1Bottleneck(), point);
        bottleneck(out, p + TS2, c.bottleneck(), c.ts2Bottleneck(), point);
      }
      if (c.ownsLayerNorm()) {
        out.add(new Spec(p + LN_WEIGHT, new long[] {d}, Role.LN_GAMMA, point));
        out.add(new Spec(p + LN_BIAS, new long[] {d}, Role.LN_BETA, point));
      }
    }
    return out;
  }

  private static void bottleneck(List<Spec> out, String p, int in, int width, HookPoint point) {
    out.add(new Spec(p + DOWN_WEIGHT, new long[] {width, in}, Role.DOWN_WEIGHT, point));
    out.add(new Spec(p + DOWN_BIAS, new long[] {width}, Role.ZERO, point));
    out.add(new Spec(p + UP_WEIGHT, new long[] {in, width}, Role.UP_WEIGHT, point));
    out.add(new Spec(p + UP_BIAS, new long[] {in}, Role.ZERO, point));
  }

  /** Names and shapes, in file order. */
  static Map<String, long[]> shapes(AdapterConfig c, int d) {
    Map<String, long[]> out = new LinkedHashMap<>();
    for (Spec s : specs(c, d)) {
      out.put(s.name(), s.shape());
    }
    return out;
  }

  static long parameterCount(AdapterConfig c, int d) {
    long n = 0;
    for (Spec s : specs(c, d)) {
      n += s.size();
    }
    return n;
  }

  /**
   * Near-identity initial tensors (see {@link AdapterInit}).
   *
   * @param layerNorm the {gamma, beta} an owned LayerNorm at a hook point starts from
   */
  static Map<String, FloatTensor> initial(
      AdapterConfig c, int d, AdapterInit init, Function<HookPoint, float[][]> layerNorm) {
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    for (Spec s : specs(c, d)) {
      int n = (int) s.size();
      float[] v =
          switch (s.role()) {
            case DOWN_WEIGHT -> init.truncatedNormal(s.name(), n, init.downStd());
            case UP_WEIGHT -> init.truncatedNormal(s.name(), n, init.upStd());
            case ZERO -> new float[n];
            case LN_GAMMA -> layerNorm.apply(s.point())[0].clone();
            case LN_BETA -> layerNorm.apply(s.point())[1].clone();
            case IDENTITY -> identity(d);
            case FUSION_QUERY_KEY -> init.truncatedNormal(s.name(), n, FusionAdapter.QUERY_KEY_STD);
            case FUSION_VALUE ->
                nearIdentity(d, init.truncatedNormal(s.name(), n, FusionAdapter.VALUE_NOISE_STD));
          };
      out.put(s.name(), new FloatTensor(s.name(), s.shape(), v));
    }
    return out;
  }

  /** Ones on the diagonal, {@code noise} elsewhere (AdapterFusion's value initialisation). */
  private static float[] nearIdentity(int d, float[] noise) {
    for (int i = 0; i < d; i++) {
      noise[i * d + i] = 1f;
    }
    return noise;
  }

  private static float[] identity(int d) {
    float[] v = new float[d * d];
    for (int i = 0; i < d; i++) {
      v[i * d + i] = 1f;
    }
    return v;
  }
}
