package io.adahit.server.skills;

import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.adapters.LengthOverrides;
import io.adahit.agents.adapters.SkillRegistry;
import io.adahit.agents.adapters.TextLengths;
import io.adahit.agents.adapters.UnknownSkillException;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.EncodeOptions;
import io.adahit.agents.backbone.NativeHeap;
import io.adahit.agents.errors.ConflictException;
import io.adahit.agents.ranker.CandidateIndex;
import io.adahit.agents.ranker.EmbeddingCache;
import io.adahit.agents.ranker.PoolPrecision;
import io.adahit.agents.ranker.RankerOptions;
import io.adahit.agents.ranker.TextEncoder;
import io.adahit.agents.routing.SkillRouter;
import io.adahit.server.config.ServerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The skills one process serves, built from the skills folder: every sub-directory with a {@code
 * candidates.txt} (or a candidate file named in the config) is a skill; its adapter files, if any,
 * are loaded through {@link SkillRegistry} (a hierarchical skill finds its base adapter in the same
 * folder; a directory with adapters but no candidates, such as the AdaHIT base, is not servable).
 * Each skill is served at its own text lengths ({@link SkillRegistry.Entry#lengths()}: its training
 * lengths, else 256 / 128), unless the config overrides them for every skill ({@code
 * agent.textTruncate}, {@code agent.labelTruncate}). Each pool is encoded once with the skill's own
 * adapters at its candidate length, through the on-disk {@link EmbeddingCache}, so a restart
 * re-encodes nothing.
 *
 * <pre>{@code
 * try (SkillCatalog skills = SkillCatalog.load(backbone, config.skills(), LoadProgress.NONE)) {
 *   Skill s = skills.get("base");
 * }
 * }</pre>
 */
public final class SkillCatalog implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SkillCatalog.class);

  public static final String CANDIDATES_FILE = "candidates.txt";
  public static final String PERSONAS_FILE = "personas.txt";

  private final SkillRegistry registry;

  /**
   * Copy-on-write: replaced whole by {@link #put} and {@link #remove} (run-time adapter management,
   * see AdapterManager), never changed in place once loaded, so reads take no lock and a turn that
   * already holds a Skill object keeps it.
   */
  private volatile Map<String, Skill> skills;

  /** Skill name → {@link SkillManifest#description}, replaced whole with {@link #skills}. */
  private volatile Map<String, String> descriptions;

  private final String defaultSkill;
  private final LengthOverrides overrides;

  /**
   * Told the served skills after every {@link #put} and {@link #remove} (e.g. adahit_skill_info).
   */
  private volatile Consumer<List<Skill>> listener = skills -> {};

  private SkillCatalog(
      SkillRegistry registry,
      Map<String, Skill> skills,
      String defaultSkill,
      LengthOverrides overrides) {
    this.registry = registry;
    this.skills = skills;
    this.descriptions = Map.of();
    this.defaultSkill = defaultSkill;
    this.overrides = overrides;
  }

  private static void closePools(Map<String, Skill> skills) {
    skills.values().stream()
        .filter(s -> s.candidates() != null)
        .forEach(s -> s.candidates().close());
  }

  /**
   * Loads every servable skill.
   *
   * @throws IOException if the folder, a candidate file or the cache cannot be read
   * @throws IllegalArgumentException if no skill is servable or the default skill is not among them
   */
  public static SkillCatalog load(
      Backbone backbone, ServerConfig.Skills config, LoadProgress progress) throws IOException {
    return load(backbone, config, LengthOverrides.NONE, progress);
  }

  /**
   * Loads every servable skill, each at its own lengths with {@code overrides} applied.
   *
   * @param overrides lengths the config sets for every skill ({@code agent.textTruncate}, ...)
   */
  public static SkillCatalog load(
      Backbone backbone,
      ServerConfig.Skills config,
      LengthOverrides overrides,
      LoadProgress progress)
      throws IOException {
    SkillRegistry registry = new SkillRegistry(backbone);
    Map<String, Skill> skills = new TreeMap<>();
    try {
      Map<String, Source> sources = sources(config);
      if (Files.isDirectory(config.dir())) {
        SkillRegistry.LoadReport report = registry.loadFolder(config.dir());
        report
            .failures()
            .forEach((dir, why) -> LOG.warn("skill adapters in {} not loaded: {}", dir, why));
      }
      // first what each pool lacks in the cache, so the start can say what it encodes before it
      // does
      record Planned(
          Source src,
          AdapterSet adapters,
          TextLengths lengths,
          List<List<String>> personas,
          PoolEncoding.Pool pool) {}
      PoolEncoding encoding = new PoolEncoding(config.cacheDir(), config.poolPrecision());
      List<Planned> planned = new ArrayList<>();
      for (Source src : sources.values()) {
        if (src.candidates() == null) {
          continue; // a router: after the skills it routes to
        }
        SkillRegistry.Entry entry = entryIn(registry, src.dir());
        AdapterSet adapters = entry == null ? null : entry.adapters();
        TextLengths lengths =
            overrides.apply(entry == null ? TextLengths.DEFAULTS : entry.lengths());
        List<String> candidates = readCandidates(src.candidates());
        List<List<String>> personas =
            src.dir() == null ? List.of() : readPersonas(src.dir().resolve(PERSONAS_FILE));
        planned.add(
            new Planned(
                src,
                adapters,
                lengths,
                personas,
                encoding.add(
                    backbone,
                    src.name(),
                    adapters,
                    candidates,
                    RankerOptions.defaults().withLengths(lengths).candidate())));
      }
      encoding.announce(progress);
      for (Planned p : planned) {
        CandidateIndex pool = encoding.encode(backbone, p.pool(), progress);
        skills.put(
            p.src().name(),
            new Skill(
                p.src().name(), p.adapters(), pool, p.personas(), p.src().dir(), p.lengths()));
        LOG.info(
            "skill '{}': kind {}, {} candidates, {} personas, lengths {}, adapters: {}",
            p.src().name(),
            p.adapters() == null ? "none" : p.adapters().kind().fileName(),
            pool.size(),
            p.personas().size(),
            p.lengths(),
            p.adapters() == null ? "none (zero-shot backbone)" : p.adapters());
      }
      encoding.finish();
      SkillCatalog catalog = new SkillCatalog(registry, skills, config.defaultSkill(), overrides);
      for (Source src : sources.values()) {
        if (src.candidates() == null) {
          skills.put(src.name(), loadRouter(backbone, src, catalog));
        }
      }
      if (skills.isEmpty()) {
        throw new IllegalArgumentException(
            "skills: no servable skill in "
                + config.dir().toAbsolutePath()
                + " (a skill is a sub-directory with a "
                + CANDIDATES_FILE
                + ")");
      }
      if (!skills.containsKey(config.defaultSkill())) {
        throw new IllegalArgumentException(
            "skills: default skill '"
                + config.defaultSkill()
                + "' is not servable; servable skills: "
                + List.copyOf(skills.keySet()));
      }
      catalog.descriptions = describe(skills);
      NativeHeap.trim(); // the pools' encoding activations, freed, go back to the kernel
      return catalog;
    } catch (IOException | RuntimeException e) {
      closePools(skills);
      registry.close();
      throw e;
    }
  }

  /** Where a skill's files are; {@code candidates} is null for a router directory. */
  private record Source(String name, Path dir, Path candidates) {}

  private static Skill loadRouter(Backbone backbone, Source src, SkillCatalog catalog)
      throws IOException {
    SkillRouter router = SkillRouter.load(src.dir(), backbone);
    List<String> servable =
        catalog.skills.values().stream().filter(s -> !s.isRouter()).map(Skill::name).toList();
    List<String> missing = router.missingSkills(servable);
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          "router skill '"
              + src.name()
              + "' in "
              + src.dir()
              + " routes to "
              + missing
              + ", which are not servable here; servable skills: "
              + servable);
    }
    List<List<String>> personas = readPersonas(src.dir().resolve(PERSONAS_FILE));
    LOG.info(
        "skill '{}': router over {} ({} parameters)",
        src.name(),
        router.skills(),
        router.parameterCount());
    return Skill.routed(src.name(), router, personas, src.dir(), catalog::get);
  }

  /**
   * Skill name → where its files are: the folder's servable sub-directories, then config overrides.
   */
  private static Map<String, Source> sources(ServerConfig.Skills config) throws IOException {
    Map<String, Source> out = new TreeMap<>();
    if (Files.isDirectory(config.dir())) {
      try (Stream<Path> dirs = Files.list(config.dir())) {
        for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
          String name = dir.getFileName().toString();
          Path cands = config.candidates().getOrDefault(name, dir.resolve(CANDIDATES_FILE));
          if (SkillRouter.isRouterDir(dir)) {
            out.put(name, new Source(name, dir, null));
          } else if (Files.isRegularFile(cands)) {
            out.put(name, new Source(name, dir, cands));
          } else if (Files.isRegularFile(dir.resolve(AdapterFiles.CONFIG_FILE))) {
            LOG.info(
                "{}: adapters without {}, not a servable skill (a base adapter?)",
                dir,
                CANDIDATES_FILE);
          }
        }
      }
    } else if (config.candidates().isEmpty()) {
      throw new NoSuchFileException(
          config.dir().toAbsolutePath().toString(), null, "skills folder not found");
    }
    for (Map.Entry<String, Path> e : config.candidates().entrySet()) {
      if (!Files.isRegularFile(e.getValue())) {
        throw new NoSuchFileException(
            e.getValue().toString(),
            null,
            "candidate file of skill '" + e.getKey() + "' not found");
      }
      out.putIfAbsent(e.getKey(), new Source(e.getKey(), null, e.getValue()));
    }
    return out;
  }

  /** The registry entry loaded from {@code dir}, null if it holds no adapters. */
  private static SkillRegistry.Entry entryIn(SkillRegistry registry, Path dir) throws IOException {
    if (dir == null || !Files.isRegularFile(dir.resolve(AdapterFiles.CONFIG_FILE))) {
      return null;
    }
    for (String name : registry.skills()) {
      SkillRegistry.Entry e = registry.entry(name);
      if (Files.isSameFile(e.dir(), dir)) {
        return e;
      }
    }
    throw new IOException(
        "skill directory "
            + dir
            + " has adapter files that failed to load (see the warning above)");
  }

  /** The file's non-blank lines, de-duplicated in order. */
  static List<String> readCandidates(Path file) throws IOException {
    LinkedHashSet<String> out = new LinkedHashSet<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String t = line.strip();
      if (!t.isEmpty()) {
        out.add(t);
      }
    }
    if (out.isEmpty()) {
      throw new IOException("candidate file " + file + " has no candidates (one reply per line)");
    }
    return List.copyOf(out);
  }

  /** One persona set per line, sentences separated by '|'; an absent file means no personas. */
  static List<List<String>> readPersonas(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    List<List<String>> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      List<String> set =
          Arrays.stream(line.split("\\|")).map(String::strip).filter(s -> !s.isEmpty()).toList();
      if (!set.isEmpty()) {
        out.add(set);
      }
    }
    return out;
  }

  static CandidateIndex encodePool(
      Backbone backbone,
      String name,
      AdapterSet adapters,
      List<String> texts,
      EncodeOptions options,
      Path cacheDir,
      PoolPrecision precision,
      LoadProgress progress) {
    TextEncoder inner = adapters == null ? TextEncoder.of(backbone) : adapters::embed;
    EmbeddingCache cache = new EmbeddingCache(inner, encoderId(backbone, adapters), cacheDir);
    return PoolEncoding.encode(backbone, name, texts, options, cache, precision, progress);
  }

  /**
   * Everything the candidate encodings depend on besides the encode options: the backbone, the
   * adapters' weights, their base's, and for a fusion every fused skill's (recursively), so a
   * retrained fused adapter never serves stale encodings.
   */
  static String encoderId(Backbone backbone, AdapterSet adapters) {
    return backbone.fingerprint() + "/" + (adapters == null ? "zero-shot" : adapterId(adapters));
  }

  private static String adapterId(AdapterSet a) {
    StringBuilder b =
        new StringBuilder(a.kind().fileName()).append(':').append(a.weightsFingerprint());
    a.base().ifPresent(base -> b.append('+').append(base.weightsFingerprint()));
    if (!a.fused().isEmpty()) {
      b.append("[fused ");
      a.fused().forEach(f -> b.append(adapterId(f)).append(';'));
      b.append(']');
    }
    return b.toString();
  }

  /**
   * The skill called {@code name}.
   *
   * @throws UnknownSkillException naming it and listing the servable skills
   */
  public Skill get(String name) {
    Skill s = skills.get(name);
    if (s == null) {
      throw new UnknownSkillException(name, names());
    }
    return s;
  }

  /** The named skill, or the default one when {@code name} is null or blank. */
  public Skill resolve(String name) {
    return get(name == null || name.isBlank() ? defaultSkill : name);
  }

  public boolean contains(String name) {
    return skills.containsKey(name);
  }

  /**
   * What {@code name} is, for people: {@link SkillManifest#description}; null for a skill not
   * served.
   */
  public String description(String name) {
    return descriptions.get(name);
  }

  /** Skill name → its description, sorted by name (the chat page's skill picker). */
  public Map<String, String> descriptions() {
    return descriptions;
  }

  private static Map<String, String> describe(Map<String, Skill> skills) {
    Map<String, String> out = new TreeMap<>();
    skills.forEach((n, s) -> out.put(n, SkillManifest.description(s)));
    return java.util.Collections.unmodifiableMap(out);
  }

  /** Servable skill names, sorted. */
  public List<String> names() {
    return List.copyOf(skills.keySet());
  }

  public List<Skill> all() {
    return List.copyOf(skills.values());
  }

  public String defaultSkill() {
    return defaultSkill;
  }

  /** The lengths the config sets for every skill (none: each skill's own). */
  public LengthOverrides lengthOverrides() {
    return overrides;
  }

  /**
   * The lengths each served skill ranks at, for reports: {@code {text_truncate, label_truncate,
   * from}} per skill; a router's entry gives the length it routes at ({@code route_truncate}).
   */
  public Map<String, Object> lengths() {
    Map<String, Object> m = new LinkedHashMap<>();
    skills.forEach(
        (n, s) ->
            m.put(
                n,
                s.isRouter() ? Map.of("route_truncate", s.contextLength()) : s.lengths().toOpt()));
    return m;
  }

  /**
   * The registry the folder's adapters were loaded through (base and fused adapters are found
   * here).
   */
  public SkillRegistry registry() {
    return registry;
  }

  /**
   * Serves {@code skill} under its name from now on, in place of the skill of that name if any
   * (copy-on-write). The caller owns the previous skill's resources: retire it through {@link
   * SkillLeases} so turns in flight finish on it.
   *
   * @return the skill it replaced, or null
   */
  synchronized Skill put(Skill skill) {
    Map<String, Skill> next = new TreeMap<>(skills);
    Skill old = next.put(skill.name(), skill);
    skills = java.util.Collections.unmodifiableMap(next);
    descriptions = describe(next);
    listener.accept(all());
    return old;
  }

  /**
   * Stops serving {@code name} (copy-on-write); the caller retires the skill returned.
   *
   * @throws UnknownSkillException if it is not served
   * @throws IllegalStateException for the default skill
   */
  synchronized Skill remove(String name) {
    if (name.equals(defaultSkill)) {
      throw new ConflictException(
          "skill '"
              + name
              + "' is the default skill (skills.default) and cannot be"
              + " unloaded; replace its adapter instead");
    }
    Skill old = get(name);
    Map<String, Skill> next = new TreeMap<>(skills);
    next.remove(name);
    skills = java.util.Collections.unmodifiableMap(next);
    descriptions = describe(next);
    listener.accept(all());
    return old;
  }

  /**
   * Calls {@code listener} with the served skills now, and again after every change (load, replace,
   * unload), on the thread that made the change, which holds the catalog's lock meanwhile. One
   * listener: a second call replaces the first.
   */
  public synchronized void onChange(Consumer<List<Skill>> listener) {
    this.listener = listener;
    listener.accept(all());
  }

  /** Skill name → candidate count, for logs and the opt of conversation logs. */
  public Map<String, Integer> summary() {
    Map<String, Integer> m = new LinkedHashMap<>();
    skills.forEach((n, s) -> m.put(n, s.candidateCount()));
    return m;
  }

  @Override
  public void close() {
    closePools(skills);
    registry.close();
  }
}
