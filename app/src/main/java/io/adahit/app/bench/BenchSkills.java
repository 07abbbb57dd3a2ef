package io.adahit.app.bench;

import io.adahit.agents.adapters.AdapterConfig;
import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.adapters.AdapterInit;
import io.adahit.agents.adapters.AdapterManifest;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.adapters.Provenance;
import io.adahit.agents.backbone.Backbone;
import io.adahit.server.skills.SkillCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The skills a load benchmark runs on, all with adapters so that one skill and several mixed skills
 * cost the same per turn except for the mixing: the folder's servable skills that have adapter
 * files, topped up to the number wanted with throw-away adapters (seeded, non-identity weights, the
 * first servable skill's candidates). Each synthetic skill copies the first servable skill's shape:
 * its adapter kind, layers and widths (a hierarchical skill's sub-adapters over the same frozen
 * base, as AdaHIT adds skills) and the text lengths it was trained at, so it costs what that skill
 * costs per turn; if that skill is of another kind (fusion, linear head), the synthetic ones are
 * Houlsby adapters in every layer at the default lengths. Everything is linked or written into a
 * scratch folder; the real folder is not touched.
 */
public final class BenchSkills {

  private BenchSkills() {}

  /**
   * Links the real skills with adapters (and adapter-only directories, such as a base adapter) into
   * {@code scratch} and adds synthetic ones up to {@code wanted}.
   *
   * @return the benchmark's skill names, real ones first
   */
  public static List<String> prepare(Path realSkills, Path scratch, int wanted, Backbone backbone)
      throws IOException {
    List<String> names = new ArrayList<>();
    Path firstCandidates = null;
    try (Stream<Path> dirs = Files.list(realSkills)) {
      for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
        boolean adapters = Files.isRegularFile(d.resolve(AdapterFiles.CONFIG_FILE));
        boolean servable = Files.isRegularFile(d.resolve(SkillCatalog.CANDIDATES_FILE));
        if (servable && firstCandidates == null) {
          firstCandidates = d.resolve(SkillCatalog.CANDIDATES_FILE);
        }
        if (adapters) {
          Files.createSymbolicLink(scratch.resolve(d.getFileName()), d.toAbsolutePath());
          if (servable && names.size() < wanted) {
            names.add(d.getFileName().toString());
          }
        }
      }
    }
    if (firstCandidates == null) {
      throw new IOException("no servable skill in " + realSkills);
    }
    try (Template template = Template.of(realSkills, firstCandidates.getParent(), backbone)) {
      for (int k = 1; names.size() < wanted; k++) {
        String name = "bench-ada-" + k;
        Path dir = Files.createDirectories(scratch.resolve(name));
        try (AdapterSet set =
            AdapterSet.create(
                backbone,
                template.config().withSkill(name),
                new AdapterInit(1000 + k, 0.05, 0.05),
                template.base())) {
          AdapterFiles.save(set, dir, template.provenance());
        }
        Files.copy(firstCandidates, dir.resolve(SkillCatalog.CANDIDATES_FILE));
        names.add(name);
      }
    }
    return names;
  }

  /**
   * What a synthetic skill copies: the adapter config, the loaded base of a hierarchical skill
   * (closed with the template), and a provenance holding only the trained text lengths.
   */
  private record Template(AdapterConfig config, AdapterSet base, Provenance provenance)
      implements AutoCloseable {

    static Template of(Path realSkills, Path first, Backbone backbone) throws IOException {
      Template houlsby =
          new Template(
              AdapterConfig.houlsby("bench", backbone.config().numLayers()),
              null,
              Provenance.pending());
      if (!Files.isRegularFile(first.resolve(AdapterFiles.CONFIG_FILE))) {
        return houlsby;
      }
      AdapterManifest m = AdapterFiles.readManifest(first);
      Map<String, String> lengths =
          m.provenance() == null ? new TreeMap<>() : new TreeMap<>(m.provenance().settings());
      lengths.keySet().retainAll(Set.of(Provenance.CONTEXT_LENGTH, Provenance.REPLY_LENGTH));
      Provenance trainedAt = Provenance.pending().withSettings(lengths);
      return switch (m.config().kind()) {
        case BOTTLENECK -> new Template(m.config(), null, trainedAt);
        case HIERARCHICAL ->
            new Template(
                m.config(),
                AdapterFiles.load(realSkills.resolve(m.base().skill()), backbone, null),
                trainedAt);
        default -> houlsby;
      };
    }

    @Override
    public void close() {
      if (base != null) {
        base.close();
      }
    }
  }
}
