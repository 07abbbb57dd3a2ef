package io.adahit.server;

import io.adahit.agents.adapters.AdapterConfig;
import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.adapters.AdapterInit;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.adapters.Provenance;
import io.adahit.agents.backbone.Backbone;
import io.adahit.server.config.ConfigLoader;
import io.adahit.server.config.ServerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A skills folder for tests, built from the repository's real files: {@code base} (zero-shot, with
 * personas) and {@code ada} (a Houlsby adapter with visibly non-identity weights), each with its
 * own disjoint pool of real ConvAI2 replies, so a reply tells which skill answered.
 */
public final class TestSkills {

  public static final int POOL = 120;

  private TestSkills() {}

  /**
   * A skill folder of the repository with real candidates and personas (tests run in server/):
   * skills/base, else the first skill that has both files.
   */
  static Path repoBase() throws IOException {
    Path skills = Path.of("..", "skills");
    Path base = skills.resolve("base");
    if (Files.isRegularFile(base.resolve("candidates.txt"))
        && Files.isRegularFile(base.resolve("personas.txt"))) {
      return base;
    }
    try (java.util.stream.Stream<Path> dirs = Files.list(skills)) {
      return dirs.sorted()
          .filter(
              d ->
                  Files.isRegularFile(d.resolve("candidates.txt"))
                      && Files.isRegularFile(d.resolve("personas.txt")))
          .findFirst()
          .orElseThrow(
              () ->
                  new IllegalStateException(
                      "tests need a skill with candidates.txt and personas.txt in "
                          + skills.toAbsolutePath().normalize()));
    }
  }

  public static List<String> basePool() throws IOException {
    return Files.readAllLines(repoBase().resolve("candidates.txt"), StandardCharsets.UTF_8)
        .subList(0, POOL);
  }

  public static List<String> adaPool() throws IOException {
    return Files.readAllLines(repoBase().resolve("candidates.txt"), StandardCharsets.UTF_8)
        .subList(POOL, 2 * POOL);
  }

  /** Writes {@code dir/base} and {@code dir/ada}; returns {@code dir}. */
  public static Path write(Path dir, Backbone backbone) throws IOException {
    Path base = Files.createDirectories(dir.resolve("base"));
    Files.write(base.resolve("candidates.txt"), basePool(), StandardCharsets.UTF_8);
    Files.write(
        base.resolve("personas.txt"),
        Files.readAllLines(repoBase().resolve("personas.txt"), StandardCharsets.UTF_8)
            .subList(0, 20),
        StandardCharsets.UTF_8);
    Path ada = Files.createDirectories(dir.resolve("ada"));
    try (AdapterSet set =
        AdapterSet.create(
            backbone,
            AdapterConfig.houlsby("ada", backbone.config().numLayers()),
            new AdapterInit(11, 0.05, 0.05))) {
      AdapterFiles.save(set, ada, Provenance.pending());
    }
    Files.write(ada.resolve("candidates.txt"), adaPool(), StandardCharsets.UTF_8);
    return dir;
  }

  /** A config on free ports with the test skills, the cache and logs in {@code tmp}. */
  public static ServerConfig config(Path tmp, Map<String, String> extra) throws IOException {
    return config(tmp, null, extra);
  }

  /**
   * As {@link #config(Path, Map)}, over a YAML file (sections the dotted overrides cannot set, e.g.
   * experiments).
   */
  public static ServerConfig config(Path tmp, Path file, Map<String, String> extra)
      throws IOException {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("http.port", "0");
    o.put("grpc.port", "0");
    o.put("skills.dir", tmp.resolve("skills").toString());
    o.put(
        "skills.default",
        "base"); // these folders' tests talk to 'base' by default (the server's default is 'auto')
    o.put("skills.cacheDir", tmp.resolve("cache").toString());
    o.put("logs.dir", tmp.resolve("logs").toString());
    o.put("events.url", "jdbc:sqlite:" + tmp.resolve("events").resolve("events.db"));
    o.put("shutdown.graceSeconds", "5");
    o.putAll(extra);
    return ConfigLoader.load(file, o);
  }
}
