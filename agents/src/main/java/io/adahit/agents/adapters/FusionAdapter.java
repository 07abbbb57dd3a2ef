package io.adahit.agents.adapters;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.nn.core.Linear;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.HookPoint;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * AdapterFusion (Pfeiffer et al. 2021, §3.2) at one hook point: attention over the outputs of N
 * frozen skill adapters at that point, so a new task (Blended Skill Talk) learns how much of each
 * old skill (persona, knowledge, empathy) to use, token by token and layer by layer.
 *
 * <p>What it computes, at a hook point of our encoder ({@code h' = LN(h + Fuse(o))}, o = F(h) the
 * sub-layer's projected output, [batch, seq, d]):
 *
 * <pre>
 *   δ_n     = Ada_n(o) − o                        the n-th adapter's output without its skip connection
 *   s_n     = softmax_n( (W_Q·o + b_Q)ᵀ · (W_K·δ_n) )
 *   Fuse(o) = o + W_V · Σ_n s_n·δ_n                = Σ_n s_n · (o + W_V·δ_n)
 * </pre>
 *
 * <ul>
 *   <li>Query: o, the sub-layer output at the hook, i.e. exactly the input every fused adapter
 *       sees. In the paper (Pfeiffer adapters after the feed-forward block) the query is that
 *       block's output before its adapter; at our attention hook point it is the attention output
 *       projection, at the feed-forward hook point the feed-forward output projection.
 *   <li>Keys and values: each adapter's contribution δ_n. As in AdapterHub's implementation ({@code
 *       BertFusion}: the adapters' {@code up} outputs, the residual added after), the value matrix
 *       acts on what the adapters add, not on o, so an identity V reproduces the adapters exactly
 *       and training V cannot distort the backbone's own signal.
 *   <li>Since Σ s_n = 1, {@code Fuse(o) = Σ_n s_n · (o + W_V·δ_n)}: the softmax-weighted sum of the
 *       adapters' outputs, each with its own contribution passed through V. With one skill and V =
 *       I, {@code Fuse(o) = Ada_1(o)}.
 *   <li>Initialisation: W_Q, W_K ~ N(0, 0.02²) (BERT's init, as AdapterHub), b_Q = 0; W_V = I with
 *       off-diagonal N(0, (1e-6)²) ("a diagonal of ones and the rest small weights", §3.2). So at
 *       init a fusion of one skill equals that skill's adapters up to ~1e-6 relative.
 *   <li>No key bias: it adds the same {@code q·b_K} to every skill's score, which the softmax
 *       cancels, so it could never train. Left out as well: AdapterHub's dropout on the scores, its
 *       optional softmax temperature, and its optional penalty {@code 0.01·‖I − W_V‖²} (the
 *       trainer's loss is the plain in-batch cross-entropy).
 *   <li>The score is computed as {@code (W_Kᵀ·q)ᵀ·δ_n}: one d×d product per token instead of N.
 * </ul>
 *
 * <p>3·d² + d parameters per point whatever N is. The fused adapters' own LayerNorms are not
 * supported (a fused adapter that owns one is refused); the backbone's LayerNorm follows.
 *
 * <pre>{@code
 * AdapterSet fusion = AdapterSet.fusion(backbone,
 *     AdapterConfig.fusionOf("bst_fusion", List.of(convai2.config(), wow.config(), ed.config())),
 *     AdapterInit.seeded(0), List.of(convai2, wow, ed));            // the three frozen
 * FusionAdapter top = (FusionAdapter) fusion.module(new HookPoint(5, AFTER_FEED_FORWARD)).orElseThrow();
 * NDArray s = top.attention(o);                                       // [batch, seq, 3]
 * }</pre>
 */
public final class FusionAdapter implements AdapterModule {

  /** Standard deviation of the initial query and key weights (BERT's initializer range). */
  static final double QUERY_KEY_STD = 0.02;

  /** Standard deviation of the initial value matrix off the diagonal. */
  static final double VALUE_NOISE_STD = 1e-6;

  private final HookPoint point;
  private final List<String> skills;
  private final List<AdapterModule> fused;
  private final NDArray queryWeight;
  private final NDArray queryBias;
  private final NDArray keyWeight;
  private final NDArray valueWeight;

  private FusionAdapter(
      HookPoint point,
      List<String> skills,
      List<AdapterModule> fused,
      NDArray queryWeight,
      NDArray queryBias,
      NDArray keyWeight,
      NDArray valueWeight) {
    this.point = point;
    this.skills = List.copyOf(skills);
    this.fused = List.copyOf(fused);
    this.queryWeight = queryWeight;
    this.queryBias = queryBias;
    this.keyWeight = keyWeight;
    this.valueWeight = valueWeight;
  }

  /** The module at {@code point} from the fusion set's tensors under {@code prefix}. */
  static FusionAdapter of(
      HookPoint point, Map<String, NDArray> params, String prefix, List<AdapterSet> fused) {
    List<AdapterModule> modules = new ArrayList<>();
    for (AdapterSet f : fused) {
      modules.add(
          f.module(point)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "adapter fusion: fused adapter '"
                              + f.skill()
                              + "' has no module at "
                              + point)));
    }
    return new FusionAdapter(
        point,
        fused.stream().map(AdapterSet::skill).toList(),
        modules,
        Bottleneck.require(params, prefix + AdapterLayout.QUERY_WEIGHT),
        Bottleneck.require(params, prefix + AdapterLayout.QUERY_BIAS),
        Bottleneck.require(params, prefix + AdapterLayout.KEY_WEIGHT),
        Bottleneck.require(params, prefix + AdapterLayout.VALUE_WEIGHT));
  }

  @Override
  public HookPoint point() {
    return point;
  }

  @Override
  public NDArray forward(NDArray o) {
    return forward(o, null);
  }

  /**
   * {@link #forward}, handing the attention weights s [batch, seq, N] (on {@code o}'s manager) to
   * {@code attention} when it is not null; see {@link FusionAttention}.
   */
  NDArray forward(NDArray o, Consumer<NDArray> attention) {
    NDList deltas = new NDList(fused.size());
    for (AdapterModule m : fused) {
      deltas.add(m.forward(o).sub(o));
    }
    NDArray delta = NDArrays.stack(deltas, 2); // [B, L, N, d]
    NDArray query = Linear.linear(o, queryWeight, queryBias).singletonOrThrow(); // [B, L, d]
    NDArray keyQuery = query.matMul(keyWeight); // (W_Kᵀ q)ᵀ
    NDArray scores = delta.matMul(keyQuery.expandDims(-1)).squeeze(-1); // [B, L, N]
    NDArray s = scores.softmax(-1);
    if (attention != null) {
      attention.accept(s);
    }
    NDArray mixed = s.expandDims(2).matMul(delta).squeeze(2); // [B, L, d]
    return o.add(Linear.linear(mixed, valueWeight).singletonOrThrow());
  }

  /**
   * The attention each fused skill gets at each token, s [batch, seq, N], on {@code o}'s manager.
   */
  public NDArray attention(NDArray o) {
    NDArray[] out = new NDArray[1];
    forward(o, s -> out[0] = s);
    return out[0];
  }

  /** The fusion leaves the backbone's LayerNorm after this point. */
  @Override
  public NDArray[] layerNorm() {
    return null;
  }

  /** The fused skills, in attention order. */
  public List<String> skills() {
    return skills;
  }

  /**
   * Checks the sets {@code fused} against a config: a fusion config needs at least one, distinct,
   * frozen, on the same backbone instance, each a bottleneck or hierarchical set that adapts every
   * point of the config without its own LayerNorm there; other kinds take none.
   *
   * @throws IllegalArgumentException naming the fusion, the fused adapter and what is wrong
   */
  static void checkFused(Backbone backbone, AdapterConfig config, List<AdapterSet> fused) {
    String who = "adapter '" + config.skill() + "': ";
    if (config.kind() != AdapterKind.FUSION) {
      if (!fused.isEmpty()) {
        throw new IllegalArgumentException(
            who
                + "kind "
                + config.kind().fileName()
                + " fuses no adapters, found "
                + fused.stream().map(AdapterSet::skill).toList());
      }
      return;
    }
    if (fused.isEmpty()) {
      throw new IllegalArgumentException(
          who + "kind fusion needs the adapters it fuses, found none");
    }
    Set<String> names = new HashSet<>();
    for (AdapterSet f : fused) {
      String what = who + "fused adapter '" + f.skill() + "' ";
      if (!names.add(f.skill())) {
        throw new IllegalArgumentException(
            who + "fused adapters must be distinct, found '" + f.skill() + "' twice");
      }
      if (f.skill().equals(config.skill())) {
        throw new IllegalArgumentException(
            what + "has the fusion's own name; give the fusion another skill name");
      }
      if (f.kind() != AdapterKind.BOTTLENECK && f.kind() != AdapterKind.HIERARCHICAL) {
        throw new IllegalArgumentException(
            what + "must be of kind bottleneck or hierarchical, found " + f.kind().fileName());
      }
      if (f.backbone() != backbone) {
        throw new IllegalArgumentException(what + "runs on another backbone instance");
      }
      if (f.isTrainable()) {
        throw new IllegalArgumentException(
            what
                + "must be frozen (load it from its directory, or call setTrainable(false)), found trainable");
      }
      for (HookPoint p : config.hookPoints()) {
        if (f.module(p).isEmpty()) {
          throw new IllegalArgumentException(
              what
                  + "has no module at layer "
                  + p.layer()
                  + " "
                  + p.position()
                  + " (it adapts layers "
                  + f.config().layers()
                  + " at "
                  + f.config().positions()
                  + "); fuse only points every adapter has, e.g. AdapterConfig.fusionOf");
        }
        if (f.layerNorm(p) != null) {
          throw new IllegalArgumentException(
              what
                  + "owns the LayerNorm after layer "
                  + p.layer()
                  + " "
                  + p.position()
                  + ", which fusion does not support");
        }
      }
    }
  }

  @Override
  public String toString() {
    return "FusionAdapter[" + point + ", " + skills + "]";
  }
}
