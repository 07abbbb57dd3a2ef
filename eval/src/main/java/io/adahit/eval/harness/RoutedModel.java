package io.adahit.eval.harness;

import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.adapters.LengthOverrides;
import io.adahit.agents.adapters.SkillRegistry;
import io.adahit.agents.adapters.TextLengths;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.ranker.RankerOptions;
import io.adahit.agents.routing.RouterManifest;
import io.adahit.agents.routing.SkillRouter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A router skill of a skills folder ({@code --skill auto} where {@code skills/auto} holds a {@link
 * SkillRouter}) with the skills it routes to, loaded from the same folder the way the server loads
 * them: a skill with adapter files through one {@link SkillRegistry} (a hierarchical skill finds
 * its base there), a skill directory without adapter files (such as {@code base}) as the zero-shot
 * backbone. Its scorer routes each example and ranks it with the chosen skill ({@link
 * RoutedScorer}); the contamination guard checks the training files of every skill it may route to,
 * and the router's own.
 *
 * <pre>{@code
 * try (RoutedModel auto = RoutedModel.load(backbone, Path.of("skills"), "auto")) {
 *   auto.skills();                                           // [convai2, empathetic_dialogues, ...]
 *   Scorer s = auto.scorer(RankerOptions.defaults(), null);
 * }
 * }</pre>
 */
public final class RoutedModel implements EvalTarget {

  private final String name;
  private final Path dir;
  private final SkillRouter router;
  private final RouterManifest manifest;
  private final SkillRegistry registry;
  private final Map<String, RankingModel> targets;

  private RoutedModel(
      String name,
      Path dir,
      SkillRouter router,
      RouterManifest manifest,
      SkillRegistry registry,
      Map<String, RankingModel> targets) {
    this.name = name;
    this.dir = dir;
    this.router = router;
    this.manifest = manifest;
    this.registry = registry;
    this.targets = targets;
  }

  /** True if {@code skillsDir/skill} is a router directory. */
  public static boolean isRouter(Path skillsDir, String skill) {
    return SkillRouter.isRouterDir(skillsDir.resolve(skill));
  }

  /**
   * Loads router {@code name} of {@code skillsDir} and every skill it routes to.
   *
   * @throws IOException if the router cannot be loaded (another backbone, corrupt files), or a
   *     skill it routes to is not in the folder (the message lists what is)
   */
  public static RoutedModel load(Backbone backbone, Path skillsDir, String name)
      throws IOException {
    Path dir = skillsDir.resolve(name);
    RouterManifest manifest = SkillRouter.readManifest(dir);
    SkillRouter router = SkillRouter.load(dir, backbone);
    SkillRegistry registry = new SkillRegistry(backbone);
    try {
      SkillRegistry.LoadReport report = registry.loadFolder(skillsDir);
      Map<String, RankingModel> targets = new LinkedHashMap<>();
      List<String> missing = new ArrayList<>();
      for (String s : router.skills()) {
        Path sd = skillsDir.resolve(s);
        if (registry.contains(s)) {
          targets.put(s, RankingModel.inRegistry(backbone, registry, s));
        } else if (Files.isDirectory(sd)
            && !Files.exists(sd.resolve(AdapterFiles.CONFIG_FILE))
            && !SkillRouter.isRouterDir(sd)) {
          targets.put(s, RankingModel.zeroShot(backbone)); // served as the zero-shot backbone
        } else {
          missing.add(s);
        }
      }
      if (!missing.isEmpty()) {
        StringBuilder msg =
            new StringBuilder(
                "router '"
                    + name
                    + "' in "
                    + dir
                    + " routes to "
                    + missing
                    + ", not found in skills folder "
                    + skillsDir.toAbsolutePath().normalize()
                    + " (a skill is a directory with adapter files, or without them for the zero-shot backbone);"
                    + " skills with adapters there: "
                    + registry.skills());
        report
            .failures()
            .forEach((d, why) -> msg.append("; skipped ").append(d).append(": ").append(why));
        throw new IOException(msg.toString());
      }
      return new RoutedModel(name, dir, router, manifest, registry, targets);
    } catch (IOException | RuntimeException e) {
      registry.close();
      throw e;
    }
  }

  /** The skills it routes to, in the router's order. */
  public List<String> skills() {
    return router.skills();
  }

  /**
   * Routes (at the router's own length), then scores each group with its skill's own encoder and
   * cache entries, at that skill's own lengths with {@code overrides} applied.
   */
  @Override
  public Scorer scorerFor(LengthOverrides overrides, Path cacheDir) {
    Map<String, Scorer> bySkill = new LinkedHashMap<>();
    targets.forEach((s, m) -> bySkill.put(s, m.scorerFor(overrides, cacheDir)));
    return RoutedScorer.of(router, bySkill);
  }

  /**
   * Each routed skill's lengths (a skill without adapters at the harness defaults), in the router's
   * order.
   */
  @Override
  public Map<String, TextLengths> lengths(LengthOverrides overrides) {
    Map<String, TextLengths> out = new LinkedHashMap<>();
    targets.forEach((s, m) -> out.put(s, overrides.apply(m.lengths())));
    return out;
  }

  /**
   * Routes, then scores each group with its skill's own encoder and cache entries, all at {@code
   * options}.
   */
  @Override
  public Scorer scorer(RankerOptions options, Path cacheDir) {
    Map<String, Scorer> bySkill = new LinkedHashMap<>();
    targets.forEach((s, m) -> bySkill.put(s, m.scorer(options, cacheDir)));
    return RoutedScorer.of(router, bySkill);
  }

  /**
   * The training files of every skill it may route to (and their bases and fused skills), and the
   * router's.
   */
  @Override
  public List<Contamination.TrainingSource> trainingFiles() {
    List<Contamination.TrainingSource> out = new ArrayList<>();
    targets.values().forEach(m -> out.addAll(m.trainingFiles()));
    manifest
        .provenance()
        .trainingFiles()
        .forEach(f -> out.add(new Contamination.TrainingSource(name, f)));
    return out;
  }

  @Override
  public boolean checksContamination() {
    return true;
  }

  @Override
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("skill", name);
    m.put("adapter_kind", "router");
    m.put("router_dir", dir.toString());
    m.put("router_kind", manifest.kind());
    m.put("router_parameters", router.parameterCount());
    m.put("router_fingerprint", manifest.weightsFingerprint());
    m.put("router_skills", router.skills());
    m.put(
        "router_text_truncate", router.encodeOptions().maxLength()); // it routes at its own length
    Map<String, Object> routed = new LinkedHashMap<>();
    targets.forEach((s, t) -> routed.put(s, t.describe()));
    m.put("routed_models", routed);
    return m;
  }

  @Override
  public String agentId() {
    return "router:" + name;
  }

  @Override
  public String label() {
    return name + " (router over " + router.skills() + ")";
  }

  @Override
  public void close() {
    targets.values().forEach(RankingModel::close);
    registry.close();
  }
}
