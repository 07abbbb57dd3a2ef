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
 * The skills one process serves: every skill directory of a folder, loaded onto the shared
 * backbone and validated against it. Hierarchical (AdaHIT) skills resolve their base adapter by
 * name from the same folder (loaded once, shared). Loading a folder again adds the new
 * directories; a bad directory is reported and skipped, and the skills already loaded stay.
 * Reads are lock-free and thread-safe; loads are serialised.
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

  /** A loaded skill and where it came from. */
  public record Entry(AdapterSet adapters, Path dir, AdapterManifest manifest) {}

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
   * Loads every sub-directory of {@code folder} that holds an adapter_config.json and is not
   * loaded yet; bases before the hierarchical skills that stack on them.
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
            throw new IOException("skill '" + name + "' in " + dir + " is already provided by " + other);
          }
          dirs.put(name, dir);
          manifests.put(name, m);
        } catch (IOException | UncheckedIOException e) {
          failures.put(dir, e.getMessage());
        }
      }
      Map<String, Entry> next = new TreeMap<>(current);
      List<String> loaded = new ArrayList<>();
      for (boolean hierarchical : new boolean[] {false, true}) {
        for (Map.Entry<String, AdapterManifest> e : manifests.entrySet()) {
          AdapterManifest m = e.getValue();
          if ((m.config().kind() == AdapterKind.HIERARCHICAL) != hierarchical) {
            continue;
          }
          Path dir = dirs.get(e.getKey());
          try {
            AdapterSet base = hierarchical ? resolveBase(m, next, failures, dirs) : null;
            AdapterSet set = AdapterFiles.load(dir, backbone, base);
            next.put(e.getKey(), new Entry(set, dir, m));
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

  private static AdapterSet resolveBase(AdapterManifest m, Map<String, Entry> loaded,
      Map<Path, String> failures, Map<String, Path> dirs) throws IOException {
    String name = m.base().skill();
    Entry base = loaded.get(name);
    if (base != null) {
      return base.adapters();
    }
    Path baseDir = dirs.get(name);
    if (baseDir != null && failures.containsKey(baseDir)) {
      throw new IOException("adapter '" + m.config().skill() + "': base adapter '" + name
          + "' failed to load: " + failures.get(baseDir));
    }
    throw new IOException("adapter '" + m.config().skill() + "': base adapter '" + name
        + "' not found; known skills: " + List.copyOf(loaded.keySet()));
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

  /** Frees every loaded skill: hierarchical ones first, then the bases they used. */
  @Override
  public void close() {
    synchronized (loadLock) {
      Map<String, Entry> all = skills;
      skills = Map.of();
      all.values().stream().filter(e -> e.adapters().kind() == AdapterKind.HIERARCHICAL)
          .forEach(e -> e.adapters().close());
      all.values().stream().filter(e -> e.adapters().kind() != AdapterKind.HIERARCHICAL)
          .forEach(e -> e.adapters().close());
    }
  }
}
