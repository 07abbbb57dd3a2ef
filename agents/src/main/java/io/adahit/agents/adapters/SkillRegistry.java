package io.adahit.agents.adapters;

import io.adahit.agents.backbone.Backbone;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The skills one process serves: every skill directory of a folder, loaded onto the shared backbone
 * and validated against it. Hierarchical (AdaHIT) skills resolve their base adapter by name from
 * the same folder (loaded once, shared), and fusion skills the adapters they fuse (after those,
 * with the fingerprints they were trained on). A router ({@code SkillRouter}, a directory with
 * {@code router_config.json} instead of {@code adapter_config.json}) is not a skill here. Loading a
 * folder again adds the new directories; a bad directory is reported and skipped, and the skills
 * already loaded stay. Reads are lock-free and thread-safe; loads are serialised.
 *
 * <pre>{@code
 * try (SkillRegistry skills = new SkillRegistry(backbone)) {
 *   SkillRegistry.LoadReport r = skills.loadFolder(Path.of("skills"));   // r.failures() for bad dirs
 *   AdapterSet bst = skills.get("bst");          // UnknownSkillException lists the known skills
 *   float[][] e = bst.embed(texts, EncodeOptions.defaults());
 * }
 * }</pre>
 */
public final class SkillRegistry implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SkillRegistry.class);

  /**
   * A loaded skill and where it came from.
   *
   * @param lengths the text lengths it ranks at by default ({@link
   *     AdapterManifest#servingLengths}): its training lengths, its base's, or the harness defaults
   */
  public record Entry(
      AdapterSet adapters, Path dir, AdapterManifest manifest, TextLengths lengths) {
    public Entry {
      if (lengths == null) {
        throw new IllegalArgumentException("skill entry: lengths are required");
      }
    }
  }

  /**
   * What one {@link #loadFolder} call did.
   *
   * @param loaded skills added by this call, in load order
   * @param failures each bad directory with the reason it was skipped
   */
  public record LoadReport(List<String> loaded, Map<Path, String> failures) {
    public LoadReport {
      loaded = List.copyOf(loaded);
      failures = Collections.unmodifiableMap(new LinkedHashMap<>(failures));
    }

    public boolean ok() {
      return failures.isEmpty();
    }
  }

  private final Backbone backbone;
  private final Object loadLock = new Object();
  private volatile Map<String, Entry> skills = Map.of();

  public SkillRegistry(Backbone backbone) {
    this.backbone = backbone;
  }

  /**
   * Loads every sub-directory of {@code folder} that holds an adapter_config.json and is not loaded
   * yet; bases before the hierarchical skills that stack on them.
   *
   * @throws IOException only if {@code folder} itself cannot be listed
   */
  public LoadReport loadFolder(Path folder) throws IOException {
    if (!Files.exists(folder)) {
      throw new NoSuchFileException(folder.toString(), null, "skill folder not found");
    }
    if (!Files.isDirectory(folder)) {
      throw new NotDirectoryException(folder.toString());
    }
    synchronized (loadLock) {
      Map<String, Entry> current = skills;
      Map<Path, String> failures = new LinkedHashMap<>();
      Map<String, Path> loadedFrom = new TreeMap<>();
      current.forEach((name, e) -> loadedFrom.put(name, e.dir()));
      // read every new manifest first, so bases can be loaded before the skills on them
      Map<String, Path> dirs = new TreeMap<>();
      Map<String, AdapterManifest> manifests = new TreeMap<>();
      for (Path dir : listSkillDirs(folder)) {
        if (current.values().stream().anyMatch(e -> sameFile(e.dir(), dir))) {
          continue;
        }
        try {
          AdapterManifest m = AdapterFiles.readManifest(dir);
          String name = m.config().skill();
          Path other = dirs.containsKey(name) ? dirs.get(name) : loadedFrom.get(name);
          if (other != null) {
            throw new IOException(
                "skill '" + name + "' in " + dir + " is already provided by " + other);
          }
          dirs.put(name, dir);
          manifests.put(name, m);
        } catch (IOException | UncheckedIOException e) {
          failures.put(dir, e.getMessage());
        }
      }
      Map<String, Entry> next = new TreeMap<>(current);
      List<String> loaded = new ArrayList<>();
      for (int pass = 0; pass < 3; pass++) {
        for (Map.Entry<String, AdapterManifest> e : manifests.entrySet()) {
          AdapterManifest m = e.getValue();
          if (loadPass(m.config().kind()) != pass) {
            continue;
          }
          Path dir = dirs.get(e.getKey());
          try {
            AdapterSet base =
                m.config().kind() == AdapterKind.HIERARCHICAL
                    ? resolve(m, "base adapter", m.base().skill(), next, failures, dirs)
                    : null;
            List<AdapterSet> fused = new ArrayList<>();
            for (AdapterManifest.FusedRef f : m.fused()) {
              fused.add(resolve(m, "fused adapter", f.skill(), next, failures, dirs));
            }
            AdapterSet set = AdapterFiles.load(dir, backbone, base, fused);
            AdapterManifest baseManifest =
                m.base() == null ? null : next.get(m.base().skill()).manifest();
            next.put(e.getKey(), new Entry(set, dir, m, m.servingLengths(baseManifest)));
            loaded.add(e.getKey());
          } catch (IOException | RuntimeException ex) {
            failures.put(dir, ex.getMessage());
          }
        }
      }
      skills = Collections.unmodifiableMap(next);
      failures.forEach((dir, why) -> LOG.warn("skill directory {} skipped: {}", dir, why));
      if (!loaded.isEmpty()) {
        LOG.info("loaded skills {} from {}", loaded, folder);
      }
      return new LoadReport(loaded, failures);
    }
  }

  /**
   * Loads the one adapter directory {@code dir} and, first, the adapters it stands on (a
   * hierarchical adapter's base, a fusion's fused adapters), each from the sibling directory that
   * holds that skill with the fingerprint {@code dir}'s manifest records; nothing else in the
   * folder is read beyond manifests. Unlike {@link #loadFolder}, another directory of the folder
   * may provide the same skill name (an A/B variant beside the served skill): only {@code dir} is
   * loaded under that name. A skill already loaded here is reused.
   *
   * @throws IOException if {@code dir} or a dependency does not load, a dependency is missing, or
   *     {@code dir}'s skill is already loaded from another directory
   */
  public Entry loadDirectory(Path dir) throws IOException {
    synchronized (loadLock) {
      return loadWithDependencies(dir.toAbsolutePath().normalize(), 0);
    }
  }

  private Entry loadWithDependencies(Path dir, int depth) throws IOException {
    AdapterManifest m = AdapterFiles.readManifest(dir);
    String name = m.config().skill();
    Entry have = skills.get(name);
    if (have != null) {
      if (sameFile(have.dir(), dir)) {
        return have;
      }
      throw new IOException(
          "skill '" + name + "' in " + dir + " is already provided by " + have.dir());
    }
    if (depth > 2) { // a fusion over hierarchical skills is the deepest stack there is
      throw new IOException(
          "adapter "
              + dir
              + ": its base and fused adapters nest deeper than a fusion"
              + " over hierarchical skills");
    }
    AdapterSet base = null;
    AdapterManifest baseManifest = null;
    if (m.base() != null) {
      Entry b =
          loadWithDependencies(
              sibling(dir, m, "base adapter", m.base().skill(), m.base().fingerprint()), depth + 1);
      base = b.adapters();
      baseManifest = b.manifest();
    }
    List<AdapterSet> fused = new ArrayList<>();
    for (AdapterManifest.FusedRef f : m.fused()) {
      fused.add(
          loadWithDependencies(
                  sibling(dir, m, "fused adapter", f.skill(), f.fingerprint()), depth + 1)
              .adapters());
    }
    AdapterSet set = AdapterFiles.load(dir, backbone, base, fused);
    Entry e = new Entry(set, dir, m, m.servingLengths(baseManifest));
    Map<String, Entry> next = new TreeMap<>(skills);
    next.put(name, e);
    skills = Collections.unmodifiableMap(next);
    return e;
  }

  /**
   * The directory beside {@code dir} that holds skill {@code name}, preferring the one with {@code
   * fingerprint}.
   */
  private static Path sibling(
      Path dir, AdapterManifest m, String role, String name, String fingerprint)
      throws IOException {
    Path first = null;
    for (Path d : listSkillDirs(dir.getParent())) {
      try {
        AdapterManifest other = AdapterFiles.readManifest(d);
        if (other.config().skill().equals(name)) {
          if (fingerprint != null && fingerprint.equals(other.weightsFingerprint())) {
            return d;
          }
          first = first == null ? d : first;
        }
      } catch (IOException | UncheckedIOException e) {
        // an unreadable sibling is not the one we need; loadFolder reports such directories
      }
    }
    if (first == null) {
      throw new IOException(needs(m, role, name) + "not found in " + dir.getParent());
    }
    return first; // a mismatched fingerprint is refused by AdapterFiles.load, naming both
  }

  /**
   * Load order: plain skills, then hierarchical ones (on a plain base), then fusions (over plain or
   * hierarchical skills).
   */
  private static int loadPass(AdapterKind kind) {
    return switch (kind) {
      case HIERARCHICAL -> 1;
      case FUSION -> 2;
      default -> 0;
    };
  }

  /**
   * The loaded skill {@code name} that {@code m} needs as its {@code role} ("base adapter", ...).
   */
  private static AdapterSet resolve(
      AdapterManifest m,
      String role,
      String name,
      Map<String, Entry> loaded,
      Map<Path, String> failures,
      Map<String, Path> dirs)
      throws IOException {
    Entry needed = loaded.get(name);
    if (needed != null) {
      return needed.adapters();
    }
    Path neededDir = dirs.get(name);
    if (neededDir != null && failures.containsKey(neededDir)) {
      throw new IOException(needs(m, role, name) + "failed to load: " + failures.get(neededDir));
    }
    throw new IOException(
        needs(m, role, name) + "not found; known skills: " + List.copyOf(loaded.keySet()));
  }

  /** The start of a message about skill {@code name}, which {@code m} needs as its {@code role}. */
  private static String needs(AdapterManifest m, String role, String name) {
    return "adapter '" + m.config().skill() + "': " + role + " '" + name + "' ";
  }

  private static List<Path> listSkillDirs(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      return s.filter(Files::isDirectory)
          .filter(d -> Files.isRegularFile(d.resolve(AdapterFiles.CONFIG_FILE)))
          .sorted()
          .toList();
    }
  }

  private static boolean sameFile(Path a, Path b) {
    try {
      return Files.isSameFile(a, b);
    } catch (IOException e) {
      return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }
  }

  /** Names of the loaded skills, sorted. */
  public List<String> skills() {
    return List.copyOf(skills.keySet());
  }

  /**
   * The skill's adapters.
   *
   * @throws UnknownSkillException naming the skill and listing the known ones
   */
  public AdapterSet get(String skill) {
    return entry(skill).adapters();
  }

  /** The skill's adapters, if loaded. */
  public Optional<AdapterSet> find(String skill) {
    return Optional.ofNullable(skills.get(skill)).map(Entry::adapters);
  }

  /** The skill's adapters, directory and manifest (provenance included). */
  public Entry entry(String skill) {
    Map<String, Entry> now = skills;
    Entry e = now.get(skill);
    if (e == null) {
      throw new UnknownSkillException(skill, List.copyOf(now.keySet()));
    }
    return e;
  }

  public boolean contains(String skill) {
    return skills.containsKey(skill);
  }

  /** Θ: parameters stored for all loaded skills (each base adapter counted once). */
  public long storedParameterCount() {
    return skills.values().stream().mapToLong(e -> e.adapters().parameterCount()).sum();
  }

  public Backbone backbone() {
    return backbone;
  }

  /** Frees every loaded skill: fusions first, then hierarchical ones, then what they used. */
  @Override
  public void close() {
    synchronized (loadLock) {
      Map<String, Entry> all = skills;
      skills = Map.of();
      for (int pass = 2; pass >= 0; pass--) {
        int p = pass;
        all.values().stream()
            .filter(e -> loadPass(e.adapters().kind()) == p)
            .forEach(e -> e.adapters().close());
      }
    }
  }
}
