package io.adahit.agents.adapters;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.BertEncoder;
import io.adahit.agents.backbone.EncodeOptions;
import io.adahit.agents.backbone.FloatTensor;
import io.adahit.agents.backbone.HookPoint;
import io.adahit.agents.backbone.LayerHooks;
import io.adahit.agents.backbone.TokenBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One skill's modules on the frozen backbone: a {@link BottleneckAdapter} (Houlsby et al. 2019), a
 * {@link HierarchicalAdapter} (AdaHIT) or a {@link FusionAdapter} (AdapterFusion) at each
 * configured hook point, or a {@link LinearHead} (FE). It is the {@link LayerHooks} the encoder
 * gets for that skill, holds the parameters the skill trains (θΔ), and owns a sub-manager of the
 * backbone's, freed by {@link #close()}. A hierarchical set uses, but does not own, its frozen base
 * set; a fusion set its frozen fused sets.
 *
 * <pre>{@code
 * try (AdapterSet bst = AdapterSet.create(backbone, AdapterConfig.houlsby("bst", 6), AdapterInit.seeded(7))) {
 *   List<NDArray> params = bst.trainableParameters();          // requiresGradient = true
 *   try (NDManager m = backbone.newManager();
 *        GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
 *     NDArray e = bst.encode(m, batch, true);                   // [batch, d]
 *     gc.backward(loss(e));
 *   }
 *   AdapterFiles.save(bst, dir.resolve("bst"), provenance);
 * }
 * }</pre>
 *
 * <p>Forward passes only read the parameters, so one set serves concurrent requests; {@link
 * #setTrainable} and in-place updates by a trainer are not meant to run beside them.
 */
public final class AdapterSet implements LayerHooks, AutoCloseable {

  private final Backbone backbone;
  private final AdapterConfig config;
  private final AdapterSet base;
  private final List<AdapterSet> fused;
  private final NDManager manager;
  private final List<String> names;
  private final List<NDArray> parameters;
  private final Map<HookPoint, AdapterModule> modules;
  private final LinearHead head;
  private volatile boolean trainable;

  private AdapterSet(
      Backbone backbone,
      AdapterConfig config,
      Map<String, FloatTensor> tensors,
      AdapterSet base,
      List<AdapterSet> fused,
      boolean trainable) {
    this.backbone = backbone;
    this.config = config;
    this.base = base;
    this.fused = List.copyOf(fused);
    Map<String, long[]> expected = AdapterLayout.shapes(config, backbone.config().hiddenSize());
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      FloatTensor t = tensors.get(e.getKey());
      if (t == null || !Arrays.equals(t.shape(), e.getValue())) {
        throw new IllegalArgumentException(
            "adapter '"
                + config.skill()
                + "': tensor '"
                + e.getKey()
                + "' must have shape "
                + Arrays.toString(e.getValue())
                + ", found "
                + (t == null ? "no such tensor" : Arrays.toString(t.shape())));
      }
    }
    if (tensors.size() != expected.size()) {
      List<String> extra = new ArrayList<>(tensors.keySet());
      extra.removeAll(expected.keySet());
      throw new IllegalArgumentException(
          "adapter '" + config.skill() + "': unexpected tensors " + extra);
    }
    this.manager = backbone.newManager();
    try {
      Map<String, NDArray> params = new LinkedHashMap<>();
      for (String name : expected.keySet()) {
        FloatTensor t = tensors.get(name);
        NDArray a = manager.create(t.data(), new Shape(t.shape()));
        a.setName(name);
        params.put(name, a);
      }
      this.names = List.copyOf(params.keySet());
      this.parameters = List.copyOf(params.values());
      this.modules = buildModules(params);
      this.head =
          config.kind() == AdapterKind.LINEAR_HEAD
              ? new LinearHead(
                  params.get(AdapterLayout.headPrefix(config.skill()) + "weight"),
                  params.get(AdapterLayout.headPrefix(config.skill()) + "bias"))
              : null;
      setTrainable(trainable);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  private Map<HookPoint, AdapterModule> buildModules(Map<String, NDArray> params) {
    Map<HookPoint, AdapterModule> out = new LinkedHashMap<>();
    for (HookPoint point : config.hookPoints()) {
      String p = AdapterLayout.prefix(point, config.skill());
      NDArray[] ln =
          config.ownsLayerNorm()
              ? new NDArray[] {
                params.get(p + AdapterLayout.LN_WEIGHT), params.get(p + AdapterLayout.LN_BIAS)
              }
              : null;
      if (config.kind() == AdapterKind.FUSION) {
        out.put(
            point,
            FusionAdapter.of(
                point, params, AdapterLayout.fusionPrefix(point, config.skill()), fused));
      } else if (config.kind() == AdapterKind.BOTTLENECK) {
        out.put(
            point, new BottleneckAdapter(point, Bottleneck.of(params, p, config.activation()), ln));
      } else {
        BottleneckAdapter baseModule = (BottleneckAdapter) base.modules.get(point);
        out.put(
            point,
            new HierarchicalAdapter(
                baseModule,
                Bottleneck.of(params, p + AdapterLayout.TS1, config.activation()),
                Bottleneck.of(params, p + AdapterLayout.TS2, config.activation()),
                ln));
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** A fresh, trainable Houlsby adapter set or linear head with near-identity weights. */
  public static AdapterSet create(Backbone backbone, AdapterConfig config, AdapterInit init) {
    return create(backbone, config, init, null);
  }

  /**
   * A fresh, trainable set with near-identity weights.
   *
   * @param base the frozen base set a {@link AdapterKind#HIERARCHICAL} config builds on (its width,
   *     activation, layers and positions must match); null for the other kinds
   * @throws IllegalArgumentException if the config does not fit the backbone or the base
   */
  public static AdapterSet create(
      Backbone backbone, AdapterConfig config, AdapterInit init, AdapterSet base) {
    checkCompatible(backbone, config, base);
    Map<String, FloatTensor> tensors =
        AdapterLayout.initial(
            config,
            backbone.config().hiddenSize(),
            init,
            point -> initialLayerNorm(backbone, base, point));
    return new AdapterSet(backbone, config, tensors, base, List.of(), true);
  }

  /**
   * A fresh, trainable AdapterFusion over {@code fused} (Pfeiffer et al. 2021): query and key small
   * and random, value near the identity, so that fusing one skill gives that skill's adapters (see
   * {@link FusionAdapter}).
   *
   * @param config of kind {@link AdapterKind#FUSION}, e.g. {@link AdapterConfig#fusionOf}
   * @param fused frozen bottleneck or hierarchical sets, each adapting every point of {@code
   *     config}
   * @throws IllegalArgumentException if the config does not fit the backbone or the fused sets
   */
  public static AdapterSet fusion(
      Backbone backbone, AdapterConfig config, AdapterInit init, List<AdapterSet> fused) {
    checkCompatible(backbone, config, null, fused);
    Map<String, FloatTensor> tensors =
        AdapterLayout.initial(
            config,
            backbone.config().hiddenSize(),
            init,
            point -> initialLayerNorm(backbone, null, point));
    return new AdapterSet(backbone, config, tensors, null, fused, true);
  }

  /**
   * A frozen set from tensors already checked against the layout (see {@link AdapterFiles#load}).
   */
  static AdapterSet fromTensors(
      Backbone backbone,
      AdapterConfig config,
      Map<String, FloatTensor> tensors,
      AdapterSet base,
      List<AdapterSet> fused) {
    checkCompatible(backbone, config, base, fused);
    return new AdapterSet(backbone, config, tensors, base, fused, false);
  }

  static void checkCompatible(Backbone backbone, AdapterConfig config, AdapterSet base) {
    checkCompatible(backbone, config, base, List.of());
  }

  static void checkCompatible(
      Backbone backbone, AdapterConfig config, AdapterSet base, List<AdapterSet> fused) {
    config.validateFor(backbone.config());
    FusionAdapter.checkFused(backbone, config, fused);
    String who = "adapter '" + config.skill() + "': ";
    if (config.kind() != AdapterKind.HIERARCHICAL) {
      if (base != null) {
        throw new IllegalArgumentException(
            who
                + "kind "
                + config.kind().fileName()
                + " takes no base adapter, found '"
                + base.skill()
                + "'");
      }
      return;
    }
    if (base == null) {
      throw new IllegalArgumentException(
          who + "kind hierarchical needs a base adapter, found none");
    }
    AdapterConfig b = base.config();
    if (b.kind() != AdapterKind.BOTTLENECK) {
      throw new IllegalArgumentException(
          who
              + "base adapter '"
              + b.skill()
              + "' must be of kind bottleneck, found "
              + b.kind().fileName());
    }
    if (base.backbone != backbone) {
      throw new IllegalArgumentException(
          who + "base adapter '" + b.skill() + "' runs on another backbone instance");
    }
    match(who, b, "bottleneck", b.bottleneck(), config.bottleneck());
    match(who, b, "activation", b.activation(), config.activation());
    match(who, b, "layers", b.layers(), config.layers());
    match(who, b, "positions", b.positions(), config.positions());
    if (base.trainable) {
      throw new IllegalArgumentException(
          who
              + "base adapter '"
              + b.skill()
              + "' must be frozen (load it from its directory, or call setTrainable(false)), found trainable");
    }
  }

  private static void match(
      String who, AdapterConfig base, String field, Object baseValue, Object value) {
    if (!baseValue.equals(value)) {
      throw new IllegalArgumentException(
          who
              + field
              + " must equal the base adapter '"
              + base.skill()
              + "''s "
              + baseValue
              + ", found "
              + value);
    }
  }

  private static float[][] initialLayerNorm(Backbone backbone, AdapterSet base, HookPoint point) {
    NDArray[] ln = base == null ? null : base.layerNorm(point);
    if (ln == null) {
      ln = backbone.encoder().layerNormParams(point);
    }
    return new float[][] {ln[0].toFloatArray(), ln[1].toFloatArray()};
  }

  @Override
  public NDArray apply(HookPoint point, NDArray sublayerOutput) {
    AdapterModule m = modules.get(point);
    return m == null ? sublayerOutput : m.forward(sublayerOutput);
  }

  @Override
  public NDArray[] layerNorm(HookPoint point) {
    AdapterModule m = modules.get(point);
    return m == null ? null : m.layerNorm();
  }

  /**
   * The pooled-embedding transform: the linear head for {@link AdapterKind#LINEAR_HEAD}, the
   * identity otherwise. Takes mean-pooled, not yet normalised embeddings [batch, d].
   */
  public NDArray head(NDArray pooled) {
    return head == null ? pooled : head.apply(pooled);
  }

  /**
   * Sentence embeddings of a token batch with this skill, [batch, d] on {@code m}: the encoder with
   * these hooks, mean pooling, the head, then (optionally) L2 normalisation. What both the trainer
   * (under a GradientCollector) and the ranker call.
   */
  public NDArray encode(NDManager m, TokenBatch batch, boolean normalize) {
    NDArray hidden = backbone.encoder().forward(m, batch, this);
    if (head == null) {
      return BertEncoder.meanPool(hidden, batch, normalize);
    }
    NDArray e = head.apply(BertEncoder.meanPool(hidden, batch, false));
    return normalize ? e.div(e.norm(new int[] {1}, true).maximum(1e-12f)) : e;
  }

  /** Sentence embeddings of texts with this skill, as {@link Backbone#embed} gives them without. */
  public float[][] embed(List<String> texts, EncodeOptions options) {
    if (head == null) {
      return backbone.embed(texts, options, this);
    }
    float[][] pooled = backbone.embed(texts, options.withNormalize(false), this);
    if (pooled.length == 0) {
      return pooled;
    }
    int d = backbone.config().hiddenSize();
    float[] flat = new float[pooled.length * d];
    for (int i = 0; i < pooled.length; i++) {
      System.arraycopy(pooled[i], 0, flat, i * d, d);
    }
    try (NDManager m = backbone.newManager()) {
      NDArray e = head.apply(m.create(flat, new Shape(pooled.length, d)));
      if (options.normalize()) {
        e = e.div(e.norm(new int[] {1}, true).maximum(1e-12f));
      }
      float[] out = e.toFloatArray();
      for (int i = 0; i < pooled.length; i++) {
        pooled[i] = Arrays.copyOfRange(out, i * d, (i + 1) * d);
      }
      return pooled;
    }
  }

  /**
   * Makes this skill's own parameters require gradients (or stop requiring them). A fresh set is
   * trainable, a loaded one frozen. Never touches the base set or the backbone.
   */
  public void setTrainable(boolean on) {
    for (NDArray p : parameters) {
      p.setRequiresGradient(on);
    }
    trainable = on;
  }

  public boolean isTrainable() {
    return trainable;
  }

  /** The parameters this skill trains, in file order; empty while frozen. */
  public List<NDArray> trainableParameters() {
    return trainable ? parameters : List.of();
  }

  /** This skill's own parameters, in file order, whether trainable or not (not the base's). */
  public List<NDArray> parameters() {
    return parameters;
  }

  /** θΔ: the number of parameters this skill stores and trains. */
  public long parameterCount() {
    long n = 0;
    for (NDArray p : parameters) {
      n += p.size();
    }
    return n;
  }

  /**
   * Parameters the skill's forward pass adds to the backbone: its own plus its base's or fused
   * sets'.
   */
  public long totalParameterCount() {
    Set<AdapterSet> all = Collections.newSetFromMap(new IdentityHashMap<>());
    collect(all);
    return all.stream().mapToLong(AdapterSet::parameterCount).sum();
  }

  /** This set and every set it runs on, each once (fused sets may share a base). */
  private void collect(Set<AdapterSet> into) {
    if (into.add(this)) {
      if (base != null) {
        base.collect(into);
      }
      fused.forEach(f -> f.collect(into));
    }
  }

  /** Host copies of the own parameters under their file names, in file order. */
  public List<FloatTensor> tensors() {
    List<FloatTensor> out = new ArrayList<>(parameters.size());
    for (int i = 0; i < parameters.size(); i++) {
      NDArray p = parameters.get(i);
      out.add(new FloatTensor(names.get(i), p.getShape().getShape(), p.toFloatArray()));
    }
    return out;
  }

  /** SHA-256 of the current own weights; see {@link AdapterFiles#weightsFingerprint}. */
  public String weightsFingerprint() {
    return AdapterFiles.weightsFingerprint(tensors());
  }

  /** The module at {@code point}, if this skill adapts it. */
  public Optional<AdapterModule> module(HookPoint point) {
    return Optional.ofNullable(modules.get(point));
  }

  /** Every module, by hook point, layer by layer. */
  public Map<HookPoint, AdapterModule> modules() {
    return modules;
  }

  public AdapterConfig config() {
    return config;
  }

  public String skill() {
    return config.skill();
  }

  public AdapterKind kind() {
    return config.kind();
  }

  /** The frozen base set of a hierarchical skill. */
  public Optional<AdapterSet> base() {
    return Optional.ofNullable(base);
  }

  /** The frozen sets a fusion skill attends over, in order; empty for the other kinds. */
  public List<AdapterSet> fused() {
    return fused;
  }

  public Backbone backbone() {
    return backbone;
  }

  /** Frees this set's parameters (not the base's, nor the fused sets'). */
  @Override
  public void close() {
    manager.close();
  }

  @Override
  public String toString() {
    return "AdapterSet["
        + config.skill()
        + ", "
        + config.kind().fileName()
        + ", "
        + parameterCount()
        + " parameters]";
  }
}
