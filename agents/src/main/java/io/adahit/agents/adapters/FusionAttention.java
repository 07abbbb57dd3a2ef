package io.adahit.agents.adapters;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.EncodeOptions;
import io.adahit.agents.backbone.HookPoint;
import io.adahit.agents.backbone.LayerHooks;
import io.adahit.agents.backbone.TokenBatch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * How much attention each fused skill receives in an AdapterFusion skill, per hook point and per
 * layer, averaged over every real token (never padding) of a list of texts: the interpretability
 * view of Pfeiffer et al. 2021 (§6, "which adapters are activated"), e.g. on the target task's
 * valid contexts. Measuring runs the fusion skill's encoder and records the softmax weights {@code
 * s} of every {@link FusionAdapter}; the set itself keeps no state, so it can serve requests
 * meanwhile.
 *
 * <pre>{@code
 * FusionAttention a = FusionAttention.measure(fusion, contexts,
 *     EncodeOptions.defaults().withMaxLength(128).withTruncation(Truncation.KEEP_END));
 * a.skills();          // [convai2, wizard_of_wikipedia, empathetic_dialogues]
 * a.byLayer();         // {4=[0.41, 0.22, 0.37], 5=[...]}: mean attention per skill, rows sum to 1
 * System.out.print(a.toTsv());
 * }</pre>
 */
public final class FusionAttention {

  private final List<String> skills;
  private final Map<HookPoint, double[]> sums = new TreeMap<>(FusionAttention::compare);
  private final Map<HookPoint, Long> tokens = new TreeMap<>(FusionAttention::compare);

  private FusionAttention(List<String> skills) {
    this.skills = List.copyOf(skills);
  }

  /**
   * Encodes {@code texts} with the fusion skill (in batches of {@code options.batchSize()}, each
   * truncated as {@code options} says) and averages the attention weights over their tokens.
   *
   * @throws IllegalArgumentException if {@code fusion} is not of kind fusion
   */
  public static FusionAttention measure(
      AdapterSet fusion, List<String> texts, EncodeOptions options) {
    if (fusion.kind() != AdapterKind.FUSION) {
      throw new IllegalArgumentException(
          "fusion attention: adapter '"
              + fusion.skill()
              + "' must be of kind fusion, found "
              + fusion.kind().fileName());
    }
    FusionAttention out =
        new FusionAttention(fusion.fused().stream().map(AdapterSet::skill).toList());
    Backbone backbone = fusion.backbone();
    int max = Math.min(options.maxLength(), backbone.config().maxPositions());
    long[][] rows = backbone.tokenizer().encodeRows(texts, max, options.truncation());
    for (int start = 0; start < rows.length; start += options.batchSize()) {
      int end = Math.min(rows.length, start + options.batchSize());
      long[][] chunk = new long[end - start][];
      System.arraycopy(rows, start, chunk, 0, chunk.length);
      TokenBatch batch = backbone.tokenizer().pad(chunk);
      try (NDManager m = backbone.newManager()) {
        NDArray mask =
            m.create(batch.attentionMask(), new Shape(batch.batchSize(), batch.seqLen(), 1))
                .toType(DataType.FLOAT32, false);
        backbone.encoder().forward(m, batch, out.recording(fusion, mask, batch.realTokens()));
      }
    }
    return out;
  }

  /** The fusion set's hooks, recording each fusion point's weights on the way. */
  private LayerHooks recording(AdapterSet fusion, NDArray mask, long realTokens) {
    return new LayerHooks() {
      @Override
      public NDArray apply(HookPoint point, NDArray sublayerOutput) {
        if (fusion.module(point).orElse(null) instanceof FusionAdapter f) {
          return f.forward(
              sublayerOutput,
              s -> add(point, s.mul(mask).sum(new int[] {0, 1}).toFloatArray(), realTokens));
        }
        return fusion.apply(point, sublayerOutput);
      }

      @Override
      public NDArray[] layerNorm(HookPoint point) {
        return fusion.layerNorm(point);
      }
    };
  }

  private void add(HookPoint point, float[] sumPerSkill, long n) {
    double[] acc = sums.computeIfAbsent(point, p -> new double[skills.size()]);
    for (int i = 0; i < acc.length; i++) {
      acc[i] += sumPerSkill[i];
    }
    tokens.merge(point, n, Long::sum);
  }

  /** The fused skills, in the order of every array here. */
  public List<String> skills() {
    return skills;
  }

  /** Real tokens the averages are over (the same at every point). */
  public long tokens() {
    return tokens.values().stream().findFirst().orElse(0L);
  }

  /**
   * Mean attention per skill at each fusion point, layer by layer, attention before feed-forward.
   */
  public Map<HookPoint, double[]> byPoint() {
    Map<HookPoint, double[]> out = new LinkedHashMap<>();
    sums.forEach((p, s) -> out.put(p, divide(s, tokens.get(p))));
    return out;
  }

  /** Mean attention per skill in each layer (over its fused positions and tokens), by layer. */
  public Map<Integer, double[]> byLayer() {
    Map<Integer, double[]> sum = new TreeMap<>();
    Map<Integer, Long> count = new TreeMap<>();
    sums.forEach(
        (p, s) -> {
          double[] acc = sum.computeIfAbsent(p.layer(), l -> new double[skills.size()]);
          for (int i = 0; i < acc.length; i++) {
            acc[i] += s[i];
          }
          count.merge(p.layer(), tokens.get(p), Long::sum);
        });
    Map<Integer, double[]> out = new LinkedHashMap<>();
    sum.forEach((layer, s) -> out.put(layer, divide(s, count.get(layer))));
    return out;
  }

  /**
   * A tab-separated table: a header {@code layer position <skills...>}, one row per fusion point,
   * then one row per layer with position {@code mean}; values with 4 decimals.
   */
  public String toTsv() {
    StringBuilder b = new StringBuilder("layer\tposition");
    skills.forEach(s -> b.append('\t').append(s));
    b.append('\n');
    byPoint()
        .forEach(
            (p, v) ->
                row(
                    b,
                    Integer.toString(p.layer()),
                    p.position().name().toLowerCase(Locale.ROOT),
                    v));
    byLayer().forEach((layer, v) -> row(b, Integer.toString(layer), "mean", v));
    return b.toString();
  }

  private static void row(StringBuilder b, String layer, String position, double[] v) {
    b.append(layer).append('\t').append(position);
    for (double x : v) {
      b.append('\t').append(String.format(Locale.ROOT, "%.4f", x));
    }
    b.append('\n');
  }

  private static double[] divide(double[] s, long n) {
    double[] out = new double[s.length];
    for (int i = 0; i < s.length; i++) {
      out[i] = n == 0 ? Double.NaN : s[i] / n;
    }
    return out;
  }

  private static int compare(HookPoint a, HookPoint b) {
    int c = Integer.compare(a.layer(), b.layer());
    return c != 0 ? c : a.position().compareTo(b.position());
  }
}
