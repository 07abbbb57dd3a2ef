package io.adahit.server.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.backbone.Backbone;
import io.adahit.server.AbFixtures;
import io.adahit.server.TestSkills;
import io.adahit.server.skills.AdapterManager;
import io.adahit.server.skills.SkillCatalog;
import io.adahit.server.skills.SkillLeases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Experiments over real adapters, without a server or an event store: which adapter each arm
 * serves.
 */
class ExperimentServiceTest {

  @TempDir static Path tmp;
  private static Backbone backbone;
  private static String adaFingerprint;
  private static String ada2Fingerprint;
  private AbFixtures.Managed managed;
  private SkillCatalog catalog;
  private AdapterManager adapters;
  private ExperimentService experiments;

  @BeforeAll
  static void folder() throws Exception {
    backbone = Backbone.loadDefault();
    AbFixtures.write(TestSkills.write(tmp.resolve("skills"), backbone), backbone);
    adaFingerprint = AdapterFiles.readManifest(tmp.resolve("skills/ada")).weightsFingerprint();
    ada2Fingerprint = AdapterFiles.readManifest(tmp.resolve("skills/ada2")).weightsFingerprint();
  }

  @AfterAll
  static void close() {
    backbone.close();
  }

  @BeforeEach
  void open() throws Exception {
    managed = AbFixtures.Managed.open(backbone, tmp);
    catalog = managed.catalog();
    adapters = managed.adapters();
    experiments =
        new ExperimentService(
            adapters, null, new ExperimentMetrics(new SimpleMeterRegistry()), new ObjectMapper());
  }

  @AfterEach
  void shut() throws Exception {
    experiments.close();
    managed.close();
  }

  @Test
  void anArmNamingTheServedDirectoryKeepsThatAdapterWhenTheSkillIsReplaced() throws Exception {
    assertThat(catalog.get("ada").adapters().weightsFingerprint()).isEqualTo(adaFingerprint);
    Experiment e =
        new Experiment(
            "ada-pin",
            "ada",
            List.of(
                new Experiment.Variant("served", null, 1.0),
                new Experiment.Variant("pinned", "ada", 1.0)));
    ExperimentService.Running running = experiments.define(e, "admin");
    assertThat(running.variants())
        .as("a named directory is loaded for its arm")
        .containsOnlyKeys("pinned");

    adapters.replace("ada", "ada2");

    try (SkillLeases.Lease pinned =
            experiments.lease("ada", new Assignment("ada-pin", "pinned", "ada"));
        SkillLeases.Lease served =
            experiments.lease("ada", new Assignment("ada-pin", "served", "ada"))) {
      assertThat(pinned.skill().adapters().weightsFingerprint())
          .as("the arm that named skills/ada")
          .isEqualTo(adaFingerprint);
      assertThat(served.skill().adapters().weightsFingerprint())
          .as("the arm of the skill as served")
          .isEqualTo(ada2Fingerprint);
    }
  }
}
