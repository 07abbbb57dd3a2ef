package io.adahit.app.bench;

import io.adahit.agents.adapters.AdapterConfig;
import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.adapters.AdapterInit;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.adapters.Provenance;
import io.adahit.agents.backbone.Backbone;
import io.adahit.server.skills.SkillCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The skills a load benchmark runs on, all with adapters so that one skill and several mixed skills
 * cost the same per turn except for the mixing: the folder's servable skills that have adapter
 * files, topped up to the number wanted with throw-away Houlsby adapters (seeded, non-identity
 * weights, the first servable skill's candidates; a trained adapter of the same shape costs the
 * same). Everything is linked or written into a scratch folder; the real folder is not touched.
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
    for (int k = 1; names.size() < wanted; k++) {
      String name = "bench-ada-" + k;
      Path dir = Files.createDirectories(scratch.resolve(name));
      try (AdapterSet set =
          AdapterSet.create(
              backbone,
              AdapterConfig.houlsby(name, backbone.config().numLayers()),
              new AdapterInit(1000 + k, 0.05, 0.05))) {
        AdapterFiles.save(set, dir, Provenance.pending());
      }
      Files.copy(firstCandidates, dir.resolve(SkillCatalog.CANDIDATES_FILE));
      names.add(name);
    }
    return names;
  }
}
