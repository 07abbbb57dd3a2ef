package io.adahit.agents.routing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.adahit.agents.adapters.AdapterManifest;
import io.adahit.agents.adapters.Provenance;
import io.adahit.agents.adapters.SavedModelChecks;
import io.adahit.agents.backbone.AtomicFiles;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.EncodeOptions;
import io.adahit.agents.backbone.FloatTensor;
import io.adahit.agents.backbone.Safetensors;
import io.adahit.agents.backbone.Truncation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The router skill {@code auto}: a softmax classifier over the frozen backbone's zero-shot context
 * embedding (mean-pooled, L2-normalised) that predicts, turn by turn, which skill fits the
 * conversation: {@code p = softmax(W·e + b)}, W: S×d, b: S, over the S skills it was trained on (by
 * {@link RouterTrainer}, on the skills' training contexts). Its directory holds {@code
 * router_config.json} ({@link RouterManifest}) and {@code router.safetensors} ({@code
 * router.weight}, {@code router.bias}); a {@code SkillRegistry} does not load it (it is not an
 * adapter), a server binds a conversation to it and asks it per turn. Immutable and thread-safe.
 *
 * <pre>{@code
 * SkillRouter auto = SkillRouter.load(Path.of("skills/auto"), backbone);
 * List<String> missing = auto.missingSkills(registry.skills());      // refuse to serve if not empty
 * SkillRouter.Routing r = auto.route("your persona: i love dogs.\nhi! how are you?");
 * AdapterSet skill = registry.get(r.skill());                          // e.g. "convai2"
 * r.probabilities();                                                   // {convai2=0.91, ...}
 * }</pre>
 */
public final class SkillRouter {

  public static final String CONFIG_FILE = "router_config.json";
  public static final String WEIGHTS_FILE = "router.safetensors";
  public static final int FORMAT_VERSION = 1;

  /** The classifier kind written in the config. */
  public static final String KIND = "linear_softmax";

  /** The router's skill name unless told otherwise. */
  public static final String DEFAULT_NAME = "auto";

  static final String WEIGHT = "router.weight";
  static final String BIAS = "router.bias";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  /**
   * One routing decision.
   *
   * @param skill the most probable skill
   * @param probabilities every skill's probability, in the router's skill order (sums to 1)
   */
  public record Routing(String skill, Map<String, Double> probabilities) {
    public Routing {
      probabilities = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(probabilities));
    }

    /** The chosen skill's probability. */
    public double probability() {
      return probabilities.get(skill);
    }
  }

  private final Backbone backbone;
  private final String name;
  private final List<String> skills;
  private final float[] weight; // [S, d] row-major
  private final float[] bias; // [S]
  private final int maxLength;
  private final Truncation truncation;

  SkillRouter(
      Backbone backbone,
      String name,
      List<String> skills,
      float[] weight,
      float[] bias,
      int maxLength,
      Truncation truncation) {
    int d = backbone.config().hiddenSize();
    if (weight.length != skills.size() * d || bias.length != skills.size()) {
      throw new IllegalArgumentException(
          "router '"
              + name
              + "': weights must be ["
              + skills.size()
              + ", "
              + d
              + "] and ["
              + skills.size()
              + "], found "
              + weight.length
              + " and "
              + bias.length
              + " values");
    }
    this.backbone = backbone;
    this.name = name;
    this.skills = List.copyOf(skills);
    this.weight = weight.clone();
    this.bias = bias.clone();
    this.maxLength = maxLength;
    this.truncation = truncation;
  }

  /** Routes one dialogue context (the history as the agent sees it, "\n"-joined). */
  public Routing route(String context) {
    return route(List.of(context)).get(0);
  }

  /** Routes several contexts (one backbone pass per batch of 32). */
  public List<Routing> route(List<String> contexts) {
    float[][] e = backbone.embed(contexts, encodeOptions());
    List<Routing> out = new ArrayList<>(e.length);
    for (float[] row : e) {
      out.add(route(row));
    }
    return out;
  }

  /**
   * Routes a context already embedded with the zero-shot backbone under {@link #encodeOptions()}
   * (L2-normalised), e.g. by a caller that batches the router's pass with others.
   */
  public Routing route(float[] embedding) {
    double[] p = probabilities(embedding);
    int best = 0;
    Map<String, Double> byName = new LinkedHashMap<>();
    for (int s = 0; s < p.length; s++) {
      byName.put(skills.get(s), p[s]);
      best = p[s] > p[best] ? s : best;
    }
    return new Routing(skills.get(best), byName);
  }

  /** softmax(W·e + b), in skill order. */
  double[] probabilities(float[] e) {
    int d = backbone.config().hiddenSize();
    if (e.length != d) {
      throw new IllegalArgumentException(
          "router '" + name + "': embedding must have " + d + " values, found " + e.length);
    }
    double[] logits = new double[skills.size()];
    double max = Double.NEGATIVE_INFINITY;
    for (int s = 0; s < logits.length; s++) {
      double z = bias[s];
      for (int j = 0; j < d; j++) {
        z += (double) weight[s * d + j] * e[j];
      }
      logits[s] = z;
      max = Math.max(max, z);
    }
    double sum = 0;
    for (int s = 0; s < logits.length; s++) {
      logits[s] = Math.exp(logits[s] - max);
      sum += logits[s];
    }
    for (int s = 0; s < logits.length; s++) {
      logits[s] /= sum;
    }
    return logits;
  }

  /** How contexts are embedded for routing: zero-shot, L2-normalised, truncated as trained. */
  public EncodeOptions encodeOptions() {
    return new EncodeOptions(maxLength, truncation, true, 32);
  }

  /** The skills it routes to, in weight-row order. */
  public List<String> skills() {
    return skills;
  }

  /**
   * The skills it may answer that {@code known} (e.g. a registry's skills) lacks; empty when all
   * are there.
   */
  public List<String> missingSkills(Collection<String> known) {
    return skills.stream().filter(s -> !known.contains(s)).toList();
  }

  /** The router's own skill name ({@code auto}). */
  public String name() {
    return name;
  }

  /** S·d + S. */
  public long parameterCount() {
    return weight.length + bias.length;
  }

  /** SHA-256 of the weights, as {@code router_config.json} records it. */
  public String weightsFingerprint() {
    return FloatTensor.fingerprint(tensors());
  }

  List<FloatTensor> tensors() {
    int d = backbone.config().hiddenSize();
    return List.of(
        new FloatTensor(WEIGHT, new long[] {skills.size(), d}, weight.clone()),
        new FloatTensor(BIAS, new long[] {skills.size()}, bias.clone()));
  }

  /** True if {@code dir} holds a router (its config file). */
  public static boolean isRouterDir(Path dir) {
    return Files.isRegularFile(dir.resolve(CONFIG_FILE));
  }

  /**
   * Writes the router into {@code dir} (created if missing), both files atomically, weights first.
   */
  public RouterManifest save(Path dir, Provenance provenance) throws IOException {
    List<FloatTensor> tensors = tensors();
    String fingerprint = FloatTensor.fingerprint(tensors);
    RouterManifest m =
        new RouterManifest(
            FORMAT_VERSION,
            name,
            KIND,
            skills,
            backbone.config().hiddenSize(),
            new AdapterManifest.BackboneRef(backbone.name(), backbone.fingerprint()),
            maxLength,
            truncation,
            parameterCount(),
            fingerprint,
            provenance);
    Files.createDirectories(dir);
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "pt");
    meta.put("router", name);
    meta.put("weights_fingerprint", fingerprint);
    Safetensors.write(dir.resolve(WEIGHTS_FILE), tensors, meta);
    byte[] bytes = JSON.writeValueAsBytes(m);
    AtomicFiles.write(dir.resolve(CONFIG_FILE), out -> out.write(bytes));
    return m;
  }

  /** Reads and validates {@code dir}'s router_config.json on its own. */
  public static RouterManifest readManifest(Path dir) throws IOException {
    Path file = dir.resolve(CONFIG_FILE);
    RouterManifest m =
        SavedModelChecks.readJson(
            file,
            "router config not found",
            () -> JSON.readValue(file.toFile(), RouterManifest.class),
            e ->
                e.getCause() instanceof IllegalArgumentException
                    ? e.getCause().getMessage()
                    : e.getOriginalMessage());
    SavedModelChecks.checkFormatVersion(file, m.formatVersion(), FORMAT_VERSION);
    return m;
  }

  /**
   * Loads the router in {@code dir} for {@code backbone}.
   *
   * @throws IOException if a file is missing or corrupt, the router was trained on another
   *     backbone, or the weights do not match the config (the message names the file and field)
   */
  public static SkillRouter load(Path dir, Backbone backbone) throws IOException {
    RouterManifest m = readManifest(dir);
    Path config = dir.resolve(CONFIG_FILE);
    String who = config + ": router '" + m.name() + "' ";
    SavedModelChecks.checkBackbone(who, m.hiddenSize(), m.backbone(), backbone);
    int d = backbone.config().hiddenSize();
    Path weights = dir.resolve(WEIGHTS_FILE);
    Map<String, FloatTensor> t = Safetensors.read(weights).tensors();
    int s = m.skills().size();
    FloatTensor w = tensor(weights, t, WEIGHT, new long[] {s, d});
    FloatTensor b = tensor(weights, t, BIAS, new long[] {s});
    if (t.size() != 2) {
      List<String> extra = new ArrayList<>(t.keySet());
      extra.removeAll(List.of(WEIGHT, BIAS));
      throw new IOException(
          weights
              + ": unexpected tensors "
              + extra
              + " (a router holds "
              + WEIGHT
              + " and "
              + BIAS
              + ")");
    }
    String fingerprint = FloatTensor.fingerprint(List.of(w, b));
    SavedModelChecks.checkWeightsFingerprint(
        weights, fingerprint, CONFIG_FILE, m.weightsFingerprint());
    return new SkillRouter(
        backbone, m.name(), m.skills(), w.data(), b.data(), m.maxLength(), m.truncation());
  }

  private static FloatTensor tensor(
      Path file, Map<String, FloatTensor> t, String name, long[] shape) throws IOException {
    FloatTensor x = t.get(name);
    if (x == null) {
      throw new IOException(
          file
              + ": tensor '"
              + name
              + "' is missing (expected shape "
              + Arrays.toString(shape)
              + ")");
    }
    if (!Arrays.equals(x.shape(), shape)) {
      throw new IOException(
          file
              + ": tensor '"
              + name
              + "' has shape "
              + Arrays.toString(x.shape())
              + ", expected "
              + Arrays.toString(shape)
              + " (skills × hidden size of "
              + CONFIG_FILE
              + ")");
    }
    float[] v = x.data();
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        throw new IOException(
            file
                + ": tensor '"
                + name
                + "' must hold finite values, found "
                + v[i]
                + " at index "
                + i);
      }
    }
    return x;
  }

  @Override
  public String toString() {
    return "SkillRouter[" + name + " -> " + skills + "]";
  }
}
