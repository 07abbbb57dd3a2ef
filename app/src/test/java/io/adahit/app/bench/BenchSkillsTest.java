package io.adahit.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.adahit.agents.adapters.AdapterConfig;
import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.adapters.AdapterInit;
import io.adahit.agents.adapters.AdapterKind;
import io.adahit.agents.adapters.AdapterManifest;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.adapters.Provenance;
import io.adahit.agents.adapters.TextLengths;
import io.adahit.agents.backbone.Backbone;
import io.adahit.server.skills.SkillCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchSkillsTest {

  private static Backbone backbone;

  @BeforeAll
  static void load() throws Exception {
    backbone = Backbone.loadDefault();
  }

  @AfterAll
  static void close() {
    backbone.close();
  }

  private static Provenance trainedAt(int text, int label) {
    return Provenance.pending()
        .withSettings(
            Map.of(
                Provenance.CONTEXT_LENGTH,
                Integer.toString(text),
                Provenance.REPLY_LENGTH,
                Integer.toString(label)));
  }

  @Test
  void syntheticSkillsAreSubAdaptersOverTheFirstSkillsBaseAtItsLengths(
      @TempDir Path real, @TempDir Path scratch) throws Exception {
    AdapterConfig baseConfig = AdapterConfig.houlsby("my_base", 6).withTopLayers(2);
    try (AdapterSet base =
        AdapterSet.create(backbone, baseConfig, new AdapterInit(1, 0.05, 0.05))) {
      AdapterFiles.save(base, real.resolve("my_base"), trainedAt(128, 64));
    }
    try (AdapterSet base = AdapterFiles.load(real.resolve("my_base"), backbone, null);
        AdapterSet task =
            AdapterSet.create(
                backbone,
                AdapterConfig.hierarchical("chat", baseConfig, 32, 16),
                new AdapterInit(2, 0.05, 0.05),
                base)) {
      AdapterFiles.save(task, real.resolve("chat"), trainedAt(128, 64));
    }
    Files.writeString(real.resolve("chat").resolve(SkillCatalog.CANDIDATES_FILE), "hi\nhello\n");

    List<String> names = BenchSkills.prepare(real, scratch, 3, backbone);

    assertThat(names).containsExactly("chat", "bench-ada-1", "bench-ada-2");
    AdapterManifest chat = AdapterFiles.readManifest(real.resolve("chat"));
    for (String synthetic : names.subList(1, 3)) {
      AdapterManifest m = AdapterFiles.readManifest(scratch.resolve(synthetic));
      assertThat(m.config().kind()).isEqualTo(AdapterKind.HIERARCHICAL);
      assertThat(m.config().layers()).isEqualTo(List.of(4, 5));
      assertThat(m.config().withSkill("chat")).isEqualTo(chat.config());
      assertThat(m.base().skill()).isEqualTo("my_base");
      assertThat(m.base().fingerprint()).isEqualTo(chat.base().fingerprint());
      assertThat(m.provenance().trainedLengths()).contains(TextLengths.trained(128, 64));
      assertThat(scratch.resolve(synthetic).resolve(SkillCatalog.CANDIDATES_FILE))
          .hasContent("hi\nhello");
    }
    assertThat(AdapterFiles.readManifest(scratch.resolve("bench-ada-1")).weightsFingerprint())
        .isNotEqualTo(
            AdapterFiles.readManifest(scratch.resolve("bench-ada-2")).weightsFingerprint());
    assertThat(scratch.resolve("my_base")).isSymbolicLink();
  }

  @Test
  void syntheticSkillsCopyABottleneckSkillsLayersAndWidth(@TempDir Path real, @TempDir Path scratch)
      throws Exception {
    AdapterConfig config = AdapterConfig.houlsby("chat", 6).withTopLayers(3).withBottleneck(16);
    try (AdapterSet set = AdapterSet.create(backbone, config, new AdapterInit(3, 0.05, 0.05))) {
      AdapterFiles.save(set, real.resolve("chat"), Provenance.pending());
    }
    Files.writeString(real.resolve("chat").resolve(SkillCatalog.CANDIDATES_FILE), "hi\n");

    List<String> names = BenchSkills.prepare(real, scratch, 2, backbone);

    AdapterManifest m = AdapterFiles.readManifest(scratch.resolve(names.get(1)));
    assertThat(m.config().withSkill("chat")).isEqualTo(config);
    assertThat(m.base()).isNull();
    assertThat(m.provenance().trainedLengths()).isEmpty();
  }
}
