package io.adahit.eval.harness;

import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.adapters.AdapterKind;
import io.adahit.agents.adapters.AdapterManifest;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.adapters.LengthOverrides;
import io.adahit.agents.adapters.SkillRegistry;
import io.adahit.agents.adapters.TextLengths;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.ranker.RankerOptions;
import io.adahit.agents.ranker.TextEncoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an evaluation ranks with: the frozen backbone alone (zero-shot), or the backbone with one
 * skill's adapters, loaded from a skills folder by name ({@code --skill NAME --skills-dir DIR}) or
 * from one adapter directory ({@code --adapter DIR}). Adapters are loaded through a {@link
 * SkillRegistry} on the adapter's folder, so a hierarchical skill finds its base adapter in a
 * sibling directory exactly as the server does. Closing frees the adapters, not the backbone.
 *
 * <pre>{@code
 * try (RankingModel m = RankingModel.load(backbone, Path.of("skills"), "bst", null)) {
 *   Ranker ranker = new Ranker(m.encoder(), RankerOptions.defaults());
 *   new EmbeddingCache(m.encoder(), m.encoderId(), cacheDir);   // never mixes skills
 * }
 * }</pre>
 */
public final class RankingModel implements EvalTarget {

  private final Backbone backbone;
  private final SkillRegistry registry;
  private final SkillRegistry.Entry entry;
  private final boolean ownsRegistry;

  /** The skill name of a zero-shot skill directory ({@code base}); null otherwise. */
  private String zeroShotName;

  private RankingModel(
      Backbone backbone, SkillRegistry registry, SkillRegistry.Entry entry, boolean ownsRegistry) {
    this.backbone = backbone;
    this.registry = registry;
    this.entry = entry;
    this.ownsRegistry = ownsRegistry;
  }

  private RankingModel(Backbone backbone, SkillRegistry registry, SkillRegistry.Entry entry) {
    this(backbone, registry, entry, true);
  }

  /** The backbone with nothing added. */
  public static RankingModel zeroShot(Backbone backbone) {
    return new RankingModel(backbone, null, null);
  }

  /**
   * Skill {@code skill} of a registry the caller keeps (and closes); closing this frees nothing.
   */
  static RankingModel inRegistry(Backbone backbone, SkillRegistry registry, String skill) {
    return new RankingModel(backbone, registry, registry.entry(skill), false);
  }

  /**
   * Zero-shot when both {@code skill} and {@code adapterDir} are null, else the one given.
   *
   * @throws IllegalArgumentException if both are given
   * @throws IOException if the adapter cannot be loaded (the message says why)
   */
  public static RankingModel load(Backbone backbone, Path skillsDir, String skill, Path adapterDir)
      throws IOException {
    if (skill != null && adapterDir != null) {
      throw new IllegalArgumentException(
          "give --skill or --adapter, not both (found --skill '"
              + skill
              + "' and --adapter "
              + adapterDir
              + ")");
    }
    if (skill != null) {
      return skill(backbone, skillsDir, skill);
    }
    return adapterDir != null ? adapterDir(backbone, adapterDir) : zeroShot(backbone);
  }

  /**
   * The skill named {@code skill} of {@code skillsDir}, in the server's namespace ({@link
   * SkillFolder}): the directory of that name; one without adapters (such as {@code base}) is the
   * zero-shot backbone under that name.
   *
   * @throws IllegalArgumentException for a name that is no skill of the folder (listing the valid
   *     ones)
   */
  public static RankingModel skill(Backbone backbone, Path skillsDir, String skill)
      throws IOException {
    SkillFolder.check(skillsDir, skill);
    if (SkillFolder.isZeroShot(skillsDir, skill)) {
      RankingModel m = new RankingModel(backbone, null, null);
      m.zeroShotName = skill;
      return m;
    }
    Path dir = skillsDir.resolve(skill);
    SkillRegistry registry = new SkillRegistry(backbone);
    try {
      SkillRegistry.LoadReport report = registry.loadFolder(skillsDir);
      for (String name : registry.skills()) {
        if (Files.isSameFile(registry.entry(name).dir(), dir)) {
          return new RankingModel(backbone, registry, registry.entry(name));
        }
      }
      StringBuilder msg =
          new StringBuilder(
              "skill '"
                  + skill
                  + "' in skills folder "
                  + skillsDir.toAbsolutePath().normalize()
                  + " did not load");
      report
          .failures()
          .forEach((d, why) -> msg.append("; skipped ").append(d).append(": ").append(why));
      throw new IOException(msg.toString());
    } catch (IOException | RuntimeException e) {
      registry.close();
      throw e;
    }
  }

  /**
   * The adapter in {@code dir}; a hierarchical one gets its base (a fusion its fused adapters) from
   * a sibling directory ({@link SkillRegistry#loadDirectory}), so a variant may sit beside the
   * served skill of the same name.
   */
  public static RankingModel adapterDir(Backbone backbone, Path dir) throws IOException {
    AdapterFiles.readManifest(dir); // names the file when missing
    SkillRegistry registry = new SkillRegistry(backbone);
    try {
      return new RankingModel(backbone, registry, registry.loadDirectory(dir));
    } catch (IOException | RuntimeException ex) {
      registry.close();
      throw new IOException("adapter " + dir + " cannot be loaded: " + ex.getMessage(), ex);
    }
  }

  /** Texts to embeddings: the backbone with the skill's adapters (and head), or alone. */
  public TextEncoder encoder() {
    if (entry == null) {
      return TextEncoder.of(backbone);
    }
    AdapterSet set = entry.adapters();
    return set::embed; // embed() also applies a linear head, which the hooks alone would skip
  }

  /**
   * The encoder's identity for the embedding cache: the backbone's fingerprint and, with an
   * adapter, its skill and weights fingerprint (and its base's), so zero-shot and adapter
   * embeddings, or two versions of one skill, never share cache entries.
   */
  public String encoderId() {
    if (entry == null) {
      return backbone.fingerprint() + "/zero-shot";
    }
    AdapterManifest m = entry.manifest();
    String id =
        backbone.fingerprint() + "/adapter/" + m.config().skill() + "/" + m.weightsFingerprint();
    for (AdapterManifest.FusedRef f :
        m.fused()) { // a fusion: the adapters it attends over (checked on load)
      id += "/fused/" + f.skill() + "/" + f.fingerprint();
    }
    return m.base() == null ? id : id + "/base/" + base().manifest().weightsFingerprint();
  }

  /** ParlAI's agent id in world logs: {@code zero-shot:<backbone>} or {@code skill:<name>}. */
  @Override
  public String agentId() {
    return entry == null
        ? (zeroShotName != null ? "skill:" + zeroShotName : "zero-shot:" + backbone.name())
        : "skill:" + entry.manifest().config().skill();
  }

  /**
   * The lengths this skill ranks at unless a user says otherwise: its training lengths ({@link
   * SkillRegistry.Entry#lengths()}), the harness defaults for the zero-shot backbone.
   */
  public TextLengths lengths() {
    return entry == null ? TextLengths.DEFAULTS : entry.lengths();
  }

  /** At its own lengths ({@link #lengths()}) with {@code overrides} applied. */
  @Override
  public Scorer scorerFor(LengthOverrides overrides, Path cacheDir) {
    return scorer(RankerOptions.defaults().withLengths(overrides.apply(lengths())), cacheDir);
  }

  @Override
  public Map<String, TextLengths> lengths(LengthOverrides overrides) {
    return Map.of(
        entry == null
            ? (zeroShotName != null ? zeroShotName : "zero-shot")
            : entry.manifest().config().skill(),
        overrides.apply(lengths()));
  }

  /** Scores in this process with {@link #encoder()}, cached under {@link #encoderId()}. */
  @Override
  public Scorer scorer(RankerOptions options, Path cacheDir) {
    return LocalScorer.of(encoder(), encoderId(), options, cacheDir);
  }

  /** Training files are checked whenever an adapter is evaluated. */
  @Override
  public boolean checksContamination() {
    return hasAdapter();
  }

  /** A one-line description, e.g. for the compare table. */
  @Override
  public String label() {
    if (entry == null) {
      return zeroShotName != null ? zeroShotName + " (zero-shot)" : "zero-shot";
    }
    return entry.manifest().config().skill() + " (" + entry.dir() + ")";
  }

  /** Whether an adapter is loaded. */
  public boolean hasAdapter() {
    return entry != null;
  }

  /** The run's {@code opt} entries describing the model. */
  @Override
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    if (entry == null) {
      m.put("skill", zeroShotName != null ? zeroShotName : "none (zero-shot backbone)");
      if (zeroShotName != null) {
        m.put("adapter_kind", "none (zero-shot backbone)");
      }
      return m;
    }
    AdapterManifest man = entry.manifest();
    m.put("skill", man.config().skill());
    m.put("adapter_dir", entry.dir().toString());
    m.put("adapter_kind", man.config().kind().fileName());
    m.put("adapter_parameters", man.parameterCount());
    m.put("adapter_fingerprint", man.weightsFingerprint());
    if (man.base() != null) {
      m.put("base_adapter", man.base().skill());
      m.put("base_adapter_fingerprint", base().manifest().weightsFingerprint());
    }
    if (!man.fused().isEmpty()) {
      Map<String, String> fused = new LinkedHashMap<>();
      man.fused().forEach(f -> fused.put(f.skill(), f.fingerprint()));
      m.put("fused_adapters", fused);
    }
    return m;
  }

  /**
   * Every training file the adapter's provenance lists, its base's and fused skills' (and their
   * bases') included.
   */
  @Override
  public List<Contamination.TrainingSource> trainingFiles() {
    List<Contamination.TrainingSource> out = new ArrayList<>();
    if (entry == null) {
      return out;
    }
    String skill = entry.manifest().config().skill();
    entry
        .manifest()
        .provenance()
        .trainingFiles()
        .forEach(f -> out.add(new Contamination.TrainingSource(skill, f)));
    if (entry.manifest().config().kind() == AdapterKind.HIERARCHICAL) {
      SkillRegistry.Entry b = base();
      b.manifest()
          .provenance()
          .trainingFiles()
          .forEach(
              f -> out.add(new Contamination.TrainingSource(b.manifest().config().skill(), f)));
    }
    // a fusion was trained on top of its fused skills: their data (and their bases') counts too
    for (AdapterManifest.FusedRef ref : entry.manifest().fused()) {
      SkillRegistry.Entry f = registry.entry(ref.skill());
      f.manifest()
          .provenance()
          .trainingFiles()
          .forEach(file -> out.add(new Contamination.TrainingSource(ref.skill(), file)));
      if (f.manifest().base() != null) {
        SkillRegistry.Entry b = registry.entry(f.manifest().base().skill());
        b.manifest()
            .provenance()
            .trainingFiles()
            .forEach(
                file ->
                    out.add(new Contamination.TrainingSource(b.manifest().config().skill(), file)));
      }
    }
    return out;
  }

  private SkillRegistry.Entry base() {
    return registry.entry(entry.manifest().base().skill());
  }

  @Override
  public void close() {
    if (registry != null && ownsRegistry) {
      registry.close();
    }
  }
}
