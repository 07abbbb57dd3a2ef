package io.adahit.agents.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.ranker.RankerOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A skill's text lengths come with it: read from its manifest's training settings, inherited by a
 * hierarchical skill without its own from its base, the harness defaults (256 / 128) without any,
 * overridden only when a user asks, and a bad recorded value refused naming file and field.
 */
class SkillLengthsTest {

  private static Backbone backbone;

  @TempDir static Path folder;

  @BeforeAll
  static void write() throws Exception {
    backbone = Backbone.loadDefault();
    AdapterConfig baseConfig = AdapterConfig.houlsby("base", 6).withBottleneck(8).withTopLayers(1);
    try (AdapterSet base = AdapterSet.create(backbone, baseConfig, AdapterInit.seeded(1))) {
      base.setTrainable(false);
      AdapterFiles.save(base, folder.resolve("base"), trainedAt("96", "48"));
      try (AdapterSet own =
          AdapterSet.create(
              backbone,
              AdapterConfig.hierarchical("task64", baseConfig, 4, 2),
              AdapterInit.seeded(2),
              base)) {
        AdapterFiles.save(own, folder.resolve("task64"), trainedAt("64", "32"));
      }
      try (AdapterSet inherits =
          AdapterSet.create(
              backbone,
              AdapterConfig.hierarchical("task", baseConfig, 4, 2),
              AdapterInit.seeded(3),
              base)) {
        AdapterFiles.save(inherits, folder.resolve("task"), Provenance.pending());
      }
    }
    try (AdapterSet plain =
        AdapterSet.create(
            backbone,
            AdapterConfig.houlsby("plain", 6).withBottleneck(4).withTopLayers(1),
            AdapterInit.seeded(4))) {
      AdapterFiles.save(plain, folder.resolve("plain"), Provenance.pending());
    }
    try (AdapterSet ctxOnly =
        AdapterSet.create(
            backbone,
            AdapterConfig.houlsby("ctx_only", 6).withBottleneck(4).withTopLayers(1),
            AdapterInit.seeded(5))) {
      AdapterFiles.save(
          ctxOnly,
          folder.resolve("ctx_only"),
          new Provenance(List.of(), 10L, 0L, 1e-3, null, Map.of("context_length", "200")));
    }
  }

  @AfterAll
  static void close() {
    backbone.close();
  }

  private static Provenance trainedAt(String context, String reply) {
    return new Provenance(
        List.of(),
        10L,
        0L,
        1e-3,
        null,
        Map.of("context_length", context, "reply_length", reply, "optimizer", "adamax"));
  }

  @Test
  void eachLoadedSkillCarriesTheLengthsItWasTrainedAt() throws Exception {
    try (SkillRegistry registry = new SkillRegistry(backbone)) {
      assertThat(registry.loadFolder(folder).ok()).isTrue();
      assertThat(registry.entry("task64").lengths())
          .as("the task adapter's own lengths count")
          .isEqualTo(TextLengths.trained(64, 32));
      assertThat(registry.entry("base").lengths()).isEqualTo(TextLengths.trained(96, 48));
      assertThat(registry.entry("task").lengths())
          .as("none of its own: its base's")
          .isEqualTo(TextLengths.trained(96, 48));
      assertThat(registry.entry("plain").lengths())
          .as("none recorded: the harness defaults")
          .isEqualTo(new TextLengths(256, 128, TextLengths.Origin.DEFAULT));
      assertThat(registry.entry("ctx_only").lengths())
          .as("a context length alone: the default reply length")
          .isEqualTo(TextLengths.trained(200, 128));
    }
    try (SkillRegistry one =
        new SkillRegistry(backbone)) { // a single directory, its base found beside it
      assertThat(one.loadDirectory(folder.resolve("task")).lengths())
          .isEqualTo(TextLengths.trained(96, 48));
    }
  }

  @Test
  void aUserGivenLengthOverridesTheSkillsAndSaysSo() {
    TextLengths trained = TextLengths.trained(64, 32);
    assertThat(LengthOverrides.NONE.apply(trained)).isSameAs(trained);
    assertThat(LengthOverrides.of(128, null).apply(trained))
        .isEqualTo(new TextLengths(128, 32, TextLengths.Origin.OVERRIDE));
    RankerOptions o = RankerOptions.defaults().withLengths(trained);
    assertThat(o.context().maxLength()).isEqualTo(64);
    assertThat(o.candidate().maxLength()).isEqualTo(32);
    assertThat(o.context().truncation()).isEqualTo(RankerOptions.defaults().context().truncation());
    assertThat(TextLengths.DEFAULTS.toOpt())
        .containsExactly(
            Map.entry("text_truncate", 256),
            Map.entry("label_truncate", 128),
            Map.entry("from", "default"));
    assertThatThrownBy(() -> LengthOverrides.of(1, null)).hasMessageContaining("found text 1");
  }

  @Test
  void aBadRecordedLengthIsRefusedNamingTheFileAndTheSetting(@TempDir Path other)
      throws IOException {
    Path dir = Files.createDirectories(other.resolve("bad"));
    String json =
        Files.readString(folder.resolve("plain").resolve(AdapterFiles.CONFIG_FILE))
            .replace("\"settings\" : { }", "\"settings\" : { \"context_length\" : \"lots\" }");
    assertThat(json).contains("lots");
    Files.writeString(dir.resolve(AdapterFiles.CONFIG_FILE), json);
    assertThatThrownBy(() -> AdapterFiles.readManifest(dir))
        .hasMessageContaining(dir.resolve(AdapterFiles.CONFIG_FILE).toString())
        .hasMessageContaining(
            "settings.context_length must be a whole number of word pieces >= 3, found 'lots'");
  }
}
