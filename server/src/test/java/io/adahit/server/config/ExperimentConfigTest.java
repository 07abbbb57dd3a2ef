package io.adahit.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adahit.server.experiments.Experiment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin, events and experiments sections of the server config. */
class ExperimentConfigTest {

  @Test
  void defaultsHaveAnEmbeddedStoreNoExperimentsAndTheAdminApiOff() throws Exception {
    ServerConfig c = ConfigLoader.defaultsOnly();
    assertThat(c.events().url()).isEqualTo("jdbc:sqlite:events/adahit-events.db");
    assertThat(c.experiments()).isEmpty();
    assertThat(c.admin().token()).isNull();
    assertThat(c.admin().tokenFile()).isNull();
    assertThat(c.admin().retireGraceSeconds()).isEqualTo(10);
  }

  @Test
  void experimentsComeFromTheFile(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("s.yaml");
    Files.writeString(
        f,
        """
        admin:
          token: 0123456789abcdef-secret
        events:
          url: jdbc:postgresql://db:5432/adahit
          user: adahit
          passwordEnv: ADAHIT_DB_PASSWORD
        experiments:
          - name: convai2-da
            skill: convai2
            variants:
              - {name: da64}
              - {name: da16, adapter: convai2_da16, weight: 3}
        """);
    ServerConfig c = ConfigLoader.load(f, Map.of());
    Experiment e = c.experiments().get(0);
    assertThat(e.name()).isEqualTo("convai2-da");
    assertThat(e.control().name()).isEqualTo("da64");
    assertThat(e.control().adapter()).isNull();
    assertThat(e.control().weight()).isEqualTo(1.0);
    assertThat(e.variant("da16").adapter()).isEqualTo("convai2_da16");
    assertThat(e.variant("da16").weight()).isEqualTo(3.0);
    assertThat(c.events().user()).isEqualTo("adahit");
    String yaml = ConfigLoader.toYaml(c);
    assertThat(yaml)
        .as("the secret is never printed")
        .doesNotContain("0123456789abcdef-secret")
        .contains("***");
    assertThat(c.admin().toString()).doesNotContain("secret");
  }

  @Test
  void badSectionsAreRefusedWithTheRule(@TempDir Path tmp) throws Exception {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("admin.token", "short")))
        .hasMessageContaining("admin.token must be at least 16 characters, found 5");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("events.url", "jdbc:mysql://x/y")))
        .hasMessageContaining("events.url must start with jdbc:sqlite: or jdbc:postgresql:");
    Path f = tmp.resolve("two.yaml");
    Files.writeString(
        f,
        """
        experiments:
          - {name: a, skill: convai2, variants: [{name: x}, {name: y, adapter: c2}]}
          - {name: b, skill: convai2, variants: [{name: x}, {name: y, adapter: c3}]}
        """);
    assertThatThrownBy(() -> ConfigLoader.load(f, Map.of()))
        .hasMessageContaining("skill 'convai2' is in two experiments");
    Path g = tmp.resolve("one-variant.yaml");
    Files.writeString(g, "experiments:\n  - {name: a, skill: convai2, variants: [{name: x}]}\n");
    assertThatThrownBy(() -> ConfigLoader.load(g, Map.of()))
        .hasMessageContaining("needs 2..8 variants, found 1");
  }
}
