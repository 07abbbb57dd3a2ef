package io.adahit.server.skills;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adahit.agents.adapters.AdapterConfig;
import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.adapters.AdapterInit;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.adapters.Provenance;
import io.adahit.agents.adapters.UnknownSkillException;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.ranker.CandidateIndex;
import io.adahit.agents.ranker.PoolPrecision;
import io.adahit.server.TestSkills;
import io.adahit.server.config.ServerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SkillCatalogTest {

  @TempDir static Path tmp;
  private static Backbone backbone;

  @BeforeAll
  static void load() throws Exception {
    backbone = Backbone.loadDefault();
    TestSkills.write(tmp.resolve("skills"), backbone);
    // an adapter without candidates (as the AdaHIT base adapter): not a servable skill
    try (AdapterSet b =
        AdapterSet.create(
            backbone, AdapterConfig.houlsby("adahit_base", 6), AdapterInit.seeded(1))) {
      b.setTrainable(false);
      AdapterFiles.save(b, tmp.resolve("skills/adahit_base"), Provenance.pending());
    }
  }

  @AfterAll
  static void close() {
    backbone.close();
  }

  private static ServerConfig.Skills config(Map<String, String> extra) throws Exception {
    return TestSkills.config(tmp, extra).skills();
  }

  @Test
  void directoriesWithCandidatesAreSkillsAndAdapterOnlyOnesAreNot() throws Exception {
    try (SkillCatalog c = SkillCatalog.load(backbone, config(Map.of()), LoadProgress.NONE)) {
      assertThat(c.names()).containsExactly("ada", "base");
      assertThat(c.get("ada").kind()).isEqualTo("bottleneck");
      assertThat(c.get("base").kind()).isEqualTo("none");
      assertThat(c.get("base").personas()).hasSize(20);
      assertThat(c.get("base").personas().get(0)).hasSizeGreaterThan(1);
      assertThat(c.get("ada").hasPersonas()).isFalse();
      assertThat(c.get("base").candidates().texts()).isEqualTo(TestSkills.basePool());
      assertThat(c.resolve("").name()).isEqualTo("base");
      assertThatThrownBy(() -> c.get("adahit_base"))
          .isInstanceOf(UnknownSkillException.class)
          .hasMessageContaining("known skills: [ada, base]");
    }
  }

  @Test
  void poolPrecisionInt8StoresEveryPoolInAQuarterOfTheMemory() throws Exception {
    try (SkillCatalog fp32 = SkillCatalog.load(backbone, config(Map.of()), LoadProgress.NONE);
        SkillCatalog int8 =
            SkillCatalog.load(
                backbone, config(Map.of("skills.poolPrecision", "int8")), LoadProgress.NONE)) {
      for (String name : List.of("ada", "base")) {
        CandidateIndex a = fp32.get(name).candidates();
        CandidateIndex b = int8.get(name).candidates();
        assertThat(a.precision()).isEqualTo(PoolPrecision.FP32);
        assertThat(b.precision()).isEqualTo(PoolPrecision.INT8);
        assertThat(b.texts()).isEqualTo(a.texts());
        assertThat(b.storedBytes()).isLessThan(a.storedBytes() / 3);
      }
    }
  }

  @Test
  void aSecondLoadReadsEveryEncodingFromTheDiskCache() throws Exception {
    SkillCatalog.load(backbone, config(Map.of()), LoadProgress.NONE).close();
    Map<Path, Long> before = cacheSizes();
    assertThat(before).isNotEmpty();
    SkillCatalog.load(backbone, config(Map.of()), LoadProgress.NONE).close();
    assertThat(cacheSizes()).isEqualTo(before);
  }

  @Test
  void aCandidateFileInTheConfigMakesOrReplacesASkillsPool() throws Exception {
    Path f = tmp.resolve("extra.txt");
    Files.write(
        f,
        List.of("hello there !", "", "i like turtles .", "hello there !"),
        StandardCharsets.UTF_8);
    try (SkillCatalog c =
        SkillCatalog.load(
            backbone,
            config(
                Map.of(
                    "skills.candidates.extra",
                    f.toString(),
                    "skills.candidates.ada",
                    f.toString())),
            LoadProgress.NONE)) {
      assertThat(c.names()).containsExactly("ada", "base", "extra");
      assertThat(c.get("extra").candidates().texts())
          .containsExactly("hello there !", "i like turtles .");
      assertThat(c.get("ada").candidates().texts())
          .containsExactly("hello there !", "i like turtles .");
      assertThat(c.get("ada").kind()).isEqualTo("bottleneck");
    }
  }

  @Test
  void aDefaultSkillThatIsNotServableIsRefusedByName() {
    assertThatThrownBy(
            () ->
                SkillCatalog.load(
                    backbone, config(Map.of("skills.default", "bst")), LoadProgress.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("skills: default skill 'bst' is not servable; servable skills: [ada, base]");
  }

  @Test
  void aFolderWithoutSkillsIsRefused() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertThatThrownBy(
            () ->
                SkillCatalog.load(
                    backbone, config(Map.of("skills.dir", empty.toString())), LoadProgress.NONE))
        .hasMessageContaining("no servable skill");
    assertThatThrownBy(
            () ->
                SkillCatalog.load(
                    backbone,
                    config(Map.of("skills.dir", tmp.resolve("nope").toString())),
                    LoadProgress.NONE))
        .hasMessageContaining("skills folder not found");
  }

  private static Map<Path, Long> cacheSizes() throws Exception {
    Map<Path, Long> m = new TreeMap<>();
    try (Stream<Path> s = Files.list(tmp.resolve("cache"))) {
      for (Path p : s.toList()) {
        m.put(p, Files.size(p));
      }
    }
    return m;
  }
}
