package io.adahit.agents.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.EncodeOptions;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A folder of skill directories: bases resolved, bad directories reported, loaded skills kept. */
class SkillRegistryTest {

  private static Backbone backbone;

  @TempDir Path folder;

  @BeforeAll
  static void load() throws Exception {
    backbone = Backbone.loadDefault();
  }

  @AfterAll
  static void close() {
    backbone.close();
  }

  /** base (bottleneck), bst (hierarchical on base), convai2 (bottleneck), ed (linear head). */
  @BeforeEach
  void writeSkills() throws Exception {
    AdapterConfig baseConfig = AdapterConfig.houlsby("base", 6).withBottleneck(8).withTopLayers(1);
    try (AdapterSet base = AdapterSet.create(backbone, baseConfig, AdapterInit.seeded(1))) {
      base.setTrainable(false);
      AdapterFiles.save(base, folder.resolve("base"), Provenance.pending());
      try (AdapterSet bst =
          AdapterSet.create(
              backbone,
              AdapterConfig.hierarchical("bst", baseConfig, 4, 2),
              AdapterInit.seeded(2),
              base)) {
        AdapterFiles.save(bst, folder.resolve("bst"), Provenance.pending());
      }
    }
    save(AdapterConfig.houlsby("convai2", 6).withBottleneck(4).withTopLayers(1), "convai2");
    save(AdapterConfig.linearHead("ed"), "ed");
  }

  private void save(AdapterConfig c, String dirName) throws Exception {
    try (AdapterSet set = AdapterSet.create(backbone, c, AdapterInit.seeded(3))) {
      AdapterFiles.save(set, folder.resolve(dirName), Provenance.pending());
    }
  }

  @Test
  void loadsEverySkillAndStacksHierarchicalOnesOnTheirBaseFromTheFolder() throws Exception {
    try (SkillRegistry registry = new SkillRegistry(backbone)) {
      SkillRegistry.LoadReport report = registry.loadFolder(folder);
      assertThat(report.ok()).as("failures %s", report.failures()).isTrue();
      assertThat(report.loaded()).containsExactly("base", "convai2", "ed", "bst");
      assertThat(registry.skills()).containsExactly("base", "bst", "convai2", "ed");
      AdapterSet bst = registry.get("bst");
      assertThat(bst.kind()).isEqualTo(AdapterKind.HIERARCHICAL);
      assertThat(bst.base()).containsSame(registry.get("base"));
      assertThat(bst.isTrainable()).isFalse();
      assertThat(registry.entry("bst").manifest().base().skill()).isEqualTo("base");
      assertThat(registry.storedParameterCount())
          .isEqualTo(
              registry.skills().stream().mapToLong(s -> registry.get(s).parameterCount()).sum());
      assertThat(bst.embed(List.of("hi there"), EncodeOptions.defaults())[0]).hasSize(384);
    }
  }

  @Test
  void anUnknownSkillIsNamedAndTheKnownOnesListed() throws Exception {
    try (SkillRegistry registry = new SkillRegistry(backbone)) {
      registry.loadFolder(folder);
      assertThatThrownBy(() -> registry.get("bts"))
          .isInstanceOf(UnknownSkillException.class)
          .hasMessage("unknown skill 'bts'; known skills: [base, bst, convai2, ed]");
      assertThat(registry.find("bts")).isEmpty();
      assertThat(registry.contains("ed")).isTrue();
    }
  }

  @Test
  void badNewDirectoriesAreReportedAndTheLoadedSkillsStay() throws Exception {
    try (SkillRegistry registry = new SkillRegistry(backbone)) {
      registry.loadFolder(folder);
      AdapterSet bst = registry.get("bst");
      Path wow = folder.resolve("wow");
      save(AdapterConfig.houlsby("wow", 6).withBottleneck(4).withTopLayers(1), "wow");
      Files.write(wow.resolve("adapter.safetensors"), new byte[] {1, 2, 3});
      Path broken = Files.createDirectories(folder.resolve("broken"));
      Files.writeString(broken.resolve("adapter_config.json"), "{");
      Files.createDirectories(folder.resolve("not-a-skill"));

      SkillRegistry.LoadReport report = registry.loadFolder(folder);
      assertThat(report.loaded()).isEmpty();
      assertThat(report.failures()).containsOnlyKeys(broken, wow);
      assertThat(report.failures().get(wow))
          .contains(wow.resolve("adapter.safetensors").toString());
      assertThat(report.failures().get(broken)).contains("not valid JSON");
      assertThat(registry.skills()).containsExactly("base", "bst", "convai2", "ed");
      assertThat(registry.get("bst")).isSameAs(bst);
      assertThat(bst.embed(List.of("still serving"), EncodeOptions.defaults())).hasNumberOfRows(1);

      save(AdapterConfig.houlsby("wow", 6).withBottleneck(4).withTopLayers(1), "wow");
      SkillRegistry.LoadReport fixed = registry.loadFolder(folder);
      assertThat(fixed.loaded()).containsExactly("wow");
      assertThat(fixed.failures()).containsOnlyKeys(broken);
    }
  }

  @Test
  void aHierarchicalSkillWithoutItsBaseIsReported() throws Exception {
    Path only = Files.createDirectories(folder.resolve("only"));
    Files.move(folder.resolve("bst"), only.resolve("bst"));
    try (SkillRegistry registry = new SkillRegistry(backbone)) {
      SkillRegistry.LoadReport report = registry.loadFolder(only);
      assertThat(report.loaded()).isEmpty();
      assertThat(report.failures().get(only.resolve("bst")))
          .isEqualTo("adapter 'bst': base adapter 'base' not found; known skills: []");
    }
  }

  @Test
  void aBrokenBaseIsNamedInItsDependentsFailure() throws Exception {
    Files.write(folder.resolve("base").resolve("adapter.safetensors"), new byte[] {0});
    try (SkillRegistry registry = new SkillRegistry(backbone)) {
      SkillRegistry.LoadReport report = registry.loadFolder(folder);
      assertThat(report.loaded()).containsExactly("convai2", "ed");
      assertThat(report.failures().get(folder.resolve("bst")))
          .startsWith("adapter 'bst': base adapter 'base' failed to load: safetensors file");
    }
  }

  @Test
  void twoDirectoriesWithTheSameSkillAreRefused() throws Exception {
    save(AdapterConfig.linearHead("ed"), "ed-copy");
    try (SkillRegistry registry = new SkillRegistry(backbone)) {
      SkillRegistry.LoadReport report = registry.loadFolder(folder);
      assertThat(report.failures()).containsOnlyKeys(folder.resolve("ed-copy"));
      assertThat(report.failures().get(folder.resolve("ed-copy")))
          .isEqualTo(
              "skill 'ed' in "
                  + folder.resolve("ed-copy")
                  + " is already provided by "
                  + folder.resolve("ed"));
    }
  }

  @Test
  void oneDirectoryLoadsWithItsBaseEvenBesideAnotherDirectoryOfTheSameSkill() throws Exception {
    // an A/B variant of bst beside the served one: other weights, same skill name and base
    try (SkillRegistry deps = new SkillRegistry(backbone)) {
      deps.loadFolder(folder);
      try (AdapterSet variant =
          AdapterSet.create(
              backbone,
              AdapterConfig.hierarchical("bst", deps.entry("base").manifest().config(), 4, 2),
              AdapterInit.seeded(9),
              deps.get("base"))) {
        AdapterFiles.save(variant, folder.resolve("bst_variant"), Provenance.pending());
      }
    }
    try (SkillRegistry registry = new SkillRegistry(backbone)) {
      SkillRegistry.Entry e = registry.loadDirectory(folder.resolve("bst_variant"));
      assertThat(e.dir()).isEqualTo(folder.resolve("bst_variant").toAbsolutePath());
      assertThat(registry.skills()).as("only it and its base").containsExactly("base", "bst");
      assertThat(e.adapters().base()).containsSame(registry.get("base"));
      assertThat(registry.loadDirectory(folder.resolve("bst_variant")))
          .as("loaded once")
          .isSameAs(e);
      assertThatThrownBy(() -> registry.loadDirectory(folder.resolve("bst")))
          .hasMessage(
              "skill 'bst' in "
                  + folder.resolve("bst").toAbsolutePath()
                  + " is already provided by "
                  + folder.resolve("bst_variant").toAbsolutePath());
    }
    Files.delete(folder.resolve("base").resolve(AdapterFiles.CONFIG_FILE)); // the base is gone
    try (SkillRegistry registry = new SkillRegistry(backbone)) {
      assertThatThrownBy(() -> registry.loadDirectory(folder.resolve("bst")))
          .hasMessage("adapter 'bst': base adapter 'base' not found in " + folder.toAbsolutePath());
    }
  }

  @Test
  void aMissingFolderIsAnIoError() {
    try (SkillRegistry registry = new SkillRegistry(backbone)) {
      assertThatThrownBy(() -> registry.loadFolder(folder.resolve("nope")))
          .isInstanceOf(NoSuchFileException.class)
          .hasMessageContaining("nope");
    }
  }

  @Test
  void readsRunConcurrentlyWithALoad() throws Exception {
    try (SkillRegistry registry = new SkillRegistry(backbone)) {
      registry.loadFolder(folder);
      save(AdapterConfig.houlsby("wow", 6).withBottleneck(4).withTopLayers(1), "wow");
      ExecutorService pool = Executors.newFixedThreadPool(3);
      AtomicBoolean done = new AtomicBoolean();
      List<Future<Integer>> readers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        readers.add(
            pool.submit(
                () -> {
                  int n = 0;
                  while (!done.get() || n == 0) {
                    assertThat(registry.get("bst").skill()).isEqualTo("bst");
                    assertThat(registry.skills()).contains("base", "bst", "convai2", "ed");
                    n++;
                  }
                  return n;
                }));
      }
      assertThat(registry.loadFolder(folder).loaded()).containsExactly("wow");
      done.set(true);
      for (Future<Integer> f : readers) {
        assertThat(f.get(10, TimeUnit.SECONDS)).isPositive();
      }
      pool.shutdown();
      assertThat(registry.get("wow").kind()).isEqualTo(AdapterKind.BOTTLENECK);
    }
  }

  @Test
  void closingFreesEverySkill() throws Exception {
    SkillRegistry registry = new SkillRegistry(backbone);
    registry.loadFolder(folder);
    registry.close();
    assertThat(registry.skills()).isEmpty();
  }
}
