package io.adahit.server.skills;

import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.adapters.AdapterManifest;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.adapters.SkillRegistry;
import io.adahit.agents.adapters.TextLengths;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.NativeHeap;
import io.adahit.agents.errors.ConflictException;
import io.adahit.agents.ranker.CandidateIndex;
import io.adahit.agents.ranker.RankerOptions;
import io.adahit.server.config.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adapters at run time, without a restart: list, load a new skill, replace a skill's adapter,
 * unload a skill, and prepare adapter variants for experiments. Every new adapter is checked before
 * it gets traffic: its directory must be inside the skills folder ({@link SkillPaths}), its files
 * must load ({@link AdapterFiles}: format, tensor shapes, finite weights, backbone and base
 * fingerprints), and its candidate pool is encoded with it; only then is it swapped into the {@link
 * SkillCatalog} (copy-on-write). A refused adapter changes nothing: the old one keeps serving. A
 * new adapter serves at its own training lengths (its pool encoded at them), with the config's
 * length overrides applied as at startup. The replaced skill is retired through {@link
 * SkillLeases}: turns in flight finish on it, then its pool (and its adapters, if loaded here) are
 * freed. Mutations are serialised.
 *
 * <pre>{@code
 * AdapterManager adapters = new AdapterManager(backbone, catalog, config.skills(), leases);
 * adapters.replace("convai2", "convai2_v2");     // skills/convai2_v2; in-flight turns keep the old one
 * try (SkillLeases.Lease l = adapters.lease("convai2")) { ... l.skill() ... }
 * }</pre>
 */
public final class AdapterManager implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AdapterManager.class);
  private static final Pattern SKILL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

  /**
   * One served skill (or prepared variant) as the admin API lists it.
   *
   * @param dir the adapter's directory relative to the skills folder, "" if none
   * @param inFlight turns holding it now
   */
  public record Info(
      String skill,
      String dir,
      String kind,
      String weightsFingerprint,
      long parameterCount,
      int candidates,
      int inFlight) {}

  private final Backbone backbone;
  private final SkillCatalog catalog;
  private final ServerConfig.Skills config;
  private final SkillLeases leases;
  private final SkillPaths paths;

  /** Adapter sets loaded here (the registry owns the ones loaded at startup). */
  private final Set<AdapterSet> owned =
      Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

  public AdapterManager(
      Backbone backbone, SkillCatalog catalog, ServerConfig.Skills config, SkillLeases leases) {
    this.backbone = backbone;
    this.catalog = catalog;
    this.config = config;
    this.leases = leases;
    this.paths = new SkillPaths(config.dir());
  }

  public SkillCatalog catalog() {
    return catalog;
  }

  public SkillLeases leases() {
    return leases;
  }

  /** Leases the skill served as {@code name} now (see {@link SkillLeases#acquire}). */
  public SkillLeases.Lease lease(String name) {
    return leases.acquire(() -> catalog.get(name));
  }

  /** Every served skill, sorted by name. */
  public List<Info> list() {
    List<Info> out = new ArrayList<>();
    for (Skill s : catalog.all()) {
      out.add(info(s.name(), s));
    }
    return out;
  }

  /** How {@code s} is described, under the name {@code label}. */
  public Info info(String label, Skill s) {
    return new Info(
        label,
        relative(s.dir()),
        s.kind(),
        s.weightsFingerprint(),
        s.parameterCount(),
        s.candidateCount(),
        leases.inFlight(s));
  }

  /**
   * Serves a new skill from {@code dirName} (candidates.txt, optional personas.txt and adapter
   * files).
   *
   * @throws AdapterRefusedException if the name is taken or bad, or the directory is bad
   */
  public synchronized Skill load(String name, String dirName) throws IOException {
    checkName(name);
    if (catalog.contains(name)) {
      throw new AdapterRefusedException(
          "load '"
              + name
              + "' refused: skill '"
              + name
              + "' is already served;"
              + " use replace to change its adapter");
    }
    Path dir = directory(dirName, "load '" + name + "'");
    Path candidates = dir.resolve(SkillCatalog.CANDIDATES_FILE);
    if (!Files.isRegularFile(candidates)) {
      throw new AdapterRefusedException(
          "load '"
              + name
              + "' refused: "
              + dirName
              + " has no "
              + SkillCatalog.CANDIDATES_FILE
              + " (one reply per line)");
    }
    String who = "load '" + name + "' from " + dirName;
    try { // also without adapter files: the candidates are served as replies, so they must not link
      // out
      paths.checkFiles(dir, List.of(SkillCatalog.CANDIDATES_FILE, SkillCatalog.PERSONAS_FILE));
    } catch (IllegalArgumentException e) {
      throw new AdapterRefusedException(who + " refused: " + e.getMessage());
    }
    Loaded loaded =
        Files.exists(dir.resolve(AdapterFiles.CONFIG_FILE))
            ? loadAdapters(dir, who, name)
            : new Loaded(null, TextLengths.DEFAULTS);
    AdapterSet adapters = loaded.adapters();
    TextLengths lengths = catalog.lengthOverrides().apply(loaded.lengths());
    try {
      List<String> texts = SkillCatalog.readCandidates(candidates);
      Skill s =
          new Skill(
              name,
              adapters,
              encode(name, adapters, texts, lengths),
              SkillCatalog.readPersonas(dir.resolve(SkillCatalog.PERSONAS_FILE)),
              dir,
              lengths);
      catalog.put(s);
      LOG.info(
          "skill '{}' loaded from {}: {} candidates, adapters {}",
          name,
          dir,
          texts.size(),
          adapters);
      return s;
    } catch (IOException e) {
      closeOwned(adapters);
      throw new AdapterRefusedException(who + " refused: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeOwned(adapters);
      throw e;
    }
  }

  /**
   * Serves {@code name} with the adapter in {@code dirName} (the same directory reloads it); the
   * skill keeps its candidates and personas. The old adapter serves until the swap, and the turns
   * already holding it finish on it.
   *
   * @throws AdapterRefusedException if the adapter does not load; {@code name} keeps serving
   */
  public synchronized Skill replace(String name, String dirName) throws IOException {
    Skill old = catalog.get(name);
    if (old.isRouter()) {
      throw new AdapterRefusedException(
          "replace '" + name + "' refused: it is a router skill, not an adapter");
    }
    Skill next = prepare(old, name, dirName, "replace '" + name + "'");
    catalog.put(next);
    retire(old);
    LOG.info(
        "skill '{}' now served with the adapter in {} ({}); the old one is retired",
        name,
        next.dir(),
        next.adapters());
    return next;
  }

  /**
   * A skill like {@code of} (its name, candidates and personas) but with the adapter in {@code
   * dirName}, validated and with its pool encoded, not served: an experiment variant. Free it with
   * {@link #retire}.
   */
  public Skill prepareVariant(Skill of, String dirName, String label) throws IOException {
    return prepare(of, of.name(), dirName, label);
  }

  private Skill prepare(Skill like, String name, String dirName, String what) throws IOException {
    Path dir = directory(dirName, what);
    String who = what + " with " + dirName;
    if (!Files.exists(dir.resolve(AdapterFiles.CONFIG_FILE))) {
      throw new AdapterRefusedException(
          who
              + " refused: no "
              + AdapterFiles.CONFIG_FILE
              + " in "
              + dir
              + "; '"
              + name
              + "' keeps serving its current adapter");
    }
    Loaded loaded = loadAdapters(dir, who, name);
    AdapterSet adapters = loaded.adapters();
    TextLengths lengths = catalog.lengthOverrides().apply(loaded.lengths());
    try {
      return new Skill(
          name,
          adapters,
          encode(name, adapters, like.candidates().texts(), lengths),
          like.personas(),
          dir,
          lengths);
    } catch (RuntimeException e) {
      closeOwned(adapters);
      throw e;
    }
  }

  /**
   * Stops serving {@code name}; its open conversations get "unknown skill" on their next turn.
   *
   * @throws IllegalStateException for the default skill or a skill a router routes to
   */
  public synchronized void unload(String name) {
    Skill s = catalog.get(name);
    for (Skill other : catalog.all()) {
      if (other.isRouter() && other.router().skills().contains(name)) {
        throw new ConflictException(
            "unload '" + name + "' refused: router skill '" + other.name() + "' routes to it");
      }
    }
    catalog.remove(name);
    retire(s);
    LOG.info("skill '{}' unloaded", name);
  }

  /** Frees {@code s} once no turn holds it (its pool; its adapters if they were loaded here). */
  public void retire(Skill s) {
    leases.retire(
        s,
        () -> {
          if (s.candidates() != null) {
            s.candidates().close();
          }
          if (s.adapters() != null && owned.remove(s.adapters())) {
            s.adapters().close();
          }
        });
  }

  private Path directory(String dirName, String what) throws IOException {
    try {
      return paths.directory(dirName);
    } catch (IllegalArgumentException e) {
      throw new AdapterRefusedException(what + " refused: " + e.getMessage());
    }
  }

  /** Adapters loaded here and the lengths their manifest says they rank at. */
  private record Loaded(AdapterSet adapters, TextLengths lengths) {}

  /**
   * Loads and checks the adapter files of {@code dir}; a hierarchical adapter's base comes from the
   * registry.
   */
  private Loaded loadAdapters(Path dir, String who, String name) throws IOException {
    try {
      paths.checkFiles(
          dir,
          List.of(
              AdapterFiles.CONFIG_FILE,
              AdapterFiles.WEIGHTS_FILE,
              SkillCatalog.CANDIDATES_FILE,
              SkillCatalog.PERSONAS_FILE));
      AdapterManifest m = AdapterFiles.readManifest(dir);
      SkillRegistry registry = catalog.registry();
      AdapterSet base = null;
      if (m.base() != null) {
        base =
            registry
                .find(m.base().skill())
                .orElseThrow(
                    () ->
                        new IOException(
                            "its base adapter '"
                                + m.base().skill()
                                + "' is not loaded in this server (loaded: "
                                + registry.skills()
                                + ")"));
      }
      List<AdapterSet> fused = new ArrayList<>();
      for (AdapterManifest.FusedRef f : m.fused()) {
        fused.add(
            registry
                .find(f.skill())
                .orElseThrow(
                    () ->
                        new IOException(
                            "the adapter '"
                                + f.skill()
                                + "' it fuses is not loaded in this server (loaded: "
                                + registry.skills()
                                + ")")));
      }
      AdapterSet set = AdapterFiles.load(dir, backbone, base, fused);
      owned.add(set);
      return new Loaded(
          set,
          m.servingLengths(m.base() == null ? null : registry.entry(m.base().skill()).manifest()));
    } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
      throw new AdapterRefusedException(
          who + " refused: " + e.getMessage() + "; '" + name + "' keeps serving what it served", e);
    }
  }

  private CandidateIndex encode(
      String name, AdapterSet adapters, List<String> texts, TextLengths lengths) {
    CandidateIndex pool =
        SkillCatalog.encodePool(
            backbone,
            name,
            adapters,
            texts,
            RankerOptions.defaults().withLengths(lengths).candidate(),
            config.cacheDir(),
            config.poolPrecision(),
            LoadProgress.NONE);
    NativeHeap.trim(); // the encoding's freed activations go back to the kernel
    return pool;
  }

  private void closeOwned(AdapterSet a) {
    if (a != null && owned.remove(a)) {
      a.close();
    }
  }

  private static void checkName(String name) {
    if (name == null || !SKILL_NAME.matcher(name).matches()) {
      throw new AdapterRefusedException(
          "skill name must be 1..64 of letters, digits, '_' and '-', found "
              + (name == null ? "none" : "'" + name + "'"));
    }
  }

  private String relative(Path dir) {
    if (dir == null) {
      return "";
    }
    try {
      Path root = paths.root().toRealPath();
      Path real = dir.toRealPath();
      return real.startsWith(root) ? root.relativize(real).toString() : real.toString();
    } catch (IOException e) {
      return dir.toString();
    }
  }

  /**
   * Frees the adapters loaded here that are still served (call after the catalog and leases
   * closed).
   */
  @Override
  public void close() {
    List<AdapterSet> all;
    synchronized (owned) {
      all = new ArrayList<>(owned);
      owned.clear();
    }
    all.forEach(AdapterSet::close);
  }
}
