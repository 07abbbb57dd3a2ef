package io.adahit.server;

import io.adahit.agents.adapters.AdapterConfig;
import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.adapters.AdapterInit;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.adapters.Provenance;
import io.adahit.agents.backbone.Backbone;
import io.adahit.server.config.ServerConfig;
import io.adahit.server.skills.AdapterManager;
import io.adahit.server.skills.LoadProgress;
import io.adahit.server.skills.SkillCatalog;
import io.adahit.server.skills.SkillLeases;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Adapter directories for the A/B and run-time adapter tests, written beside {@link TestSkills}'
 * skills ({@code base}, {@code ada}):
 *
 * <ul>
 *   <li>{@code ada2}: another Houlsby adapter (other seed, larger weights), adapter files only
 *   <li>{@code corrupt}: ada2's manifest with its weights file cut in half
 *   <li>{@code otherbackbone}: ada2 with the manifest's backbone fingerprint changed
 *   <li>{@code adahit_base}, {@code hier} (hierarchical on that base), {@code hier_badbase}
 *       (hierarchical, trained on another base of the same name)
 *   <li>{@code escape}: a symbolic link to a valid adapter directory outside the skills folder
 * </ul>
 */
public final class AbFixtures {

  private AbFixtures() {}

  /**
   * Writes the directories into {@code skills} (which already holds TestSkills' folder); returns
   * it.
   */
  public static Path write(Path skills, Backbone backbone) throws IOException {
    int layers = backbone.config().numLayers();
    Path ada2 = skills.resolve("ada2");
    try (AdapterSet set =
        AdapterSet.create(
            backbone, AdapterConfig.houlsby("ada2", layers), new AdapterInit(23, 0.1, 0.1))) {
      AdapterFiles.save(set, ada2, Provenance.pending());
    }
    Path corrupt = Files.createDirectories(skills.resolve("corrupt"));
    Files.copy(ada2.resolve(AdapterFiles.CONFIG_FILE), corrupt.resolve(AdapterFiles.CONFIG_FILE));
    byte[] weights = Files.readAllBytes(ada2.resolve(AdapterFiles.WEIGHTS_FILE));
    Files.write(
        corrupt.resolve(AdapterFiles.WEIGHTS_FILE),
        java.util.Arrays.copyOf(weights, weights.length / 2));
    Path other = Files.createDirectories(skills.resolve("otherbackbone"));
    Files.copy(ada2.resolve(AdapterFiles.WEIGHTS_FILE), other.resolve(AdapterFiles.WEIGHTS_FILE));
    String manifest =
        Files.readString(ada2.resolve(AdapterFiles.CONFIG_FILE), StandardCharsets.UTF_8);
    Files.writeString(
        other.resolve(AdapterFiles.CONFIG_FILE),
        manifest.replace(backbone.fingerprint(), "sha256:" + "0".repeat(64)),
        StandardCharsets.UTF_8);

    AdapterConfig baseConfig = AdapterConfig.houlsby("adahit_base", layers);
    try (AdapterSet base = AdapterSet.create(backbone, baseConfig, AdapterInit.seeded(5));
        AdapterSet otherBase = AdapterSet.create(backbone, baseConfig, AdapterInit.seeded(6))) {
      base.setTrainable(false);
      otherBase.setTrainable(false);
      AdapterFiles.save(base, skills.resolve("adahit_base"), Provenance.pending());
      try (AdapterSet hier =
              AdapterSet.create(
                  backbone,
                  AdapterConfig.hierarchical("hier", baseConfig, 32, 16),
                  new AdapterInit(7, 0.05, 0.05),
                  base);
          AdapterSet bad =
              AdapterSet.create(
                  backbone,
                  AdapterConfig.hierarchical("hier_badbase", baseConfig, 32, 16),
                  AdapterInit.seeded(8),
                  otherBase)) {
        AdapterFiles.save(hier, skills.resolve("hier"), Provenance.pending());
        AdapterFiles.save(bad, skills.resolve("hier_badbase"), Provenance.pending());
      }
    }
    Path outside = skills.resolveSibling("outside-adapter");
    Files.createDirectories(outside);
    for (String f : new String[] {AdapterFiles.CONFIG_FILE, AdapterFiles.WEIGHTS_FILE}) {
      Files.copy(
          ada2.resolve(f), outside.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    Files.createSymbolicLink(skills.resolve("escape"), outside);
    return skills;
  }

  /**
   * What the run-time adapter tests manage, over the folder {@link #write} filled under {@code
   * tmp/skills}: the skill catalog, leases freed at once (no grace period) and the {@link
   * AdapterManager}; closed in reverse.
   *
   * <pre>{@code
   * try (AbFixtures.Managed m = AbFixtures.Managed.open(backbone, tmp)) {
   *   m.adapters().replace("ada", "ada2");
   * }
   * }</pre>
   */
  public record Managed(
      SkillCatalog catalog,
      ScheduledExecutorService housekeeping,
      SkillLeases leases,
      AdapterManager adapters)
      implements AutoCloseable {

    public static Managed open(Backbone backbone, Path tmp) throws IOException {
      ServerConfig.Skills config = TestSkills.config(tmp, Map.of()).skills();
      SkillCatalog catalog = SkillCatalog.load(backbone, config, LoadProgress.NONE);
      ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor();
      SkillLeases leases = new SkillLeases(Duration.ZERO, housekeeping);
      return new Managed(
          catalog, housekeeping, leases, new AdapterManager(backbone, catalog, config, leases));
    }

    @Override
    public void close() throws InterruptedException {
      housekeeping.shutdown();
      housekeeping.awaitTermination(10, TimeUnit.SECONDS);
      leases.close();
      catalog.close();
      adapters.close();
    }
  }
}
