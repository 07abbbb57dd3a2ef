package io.adahit.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.backbone.Backbone;
import io.adahit.server.AbFixtures;
import io.adahit.server.TestSkills;
import io.adahit.server.events.EventDatabase;
import io.adahit.server.experiments.Experiment;
import io.adahit.server.experiments.ExperimentMetrics;
import io.adahit.server.experiments.ExperimentService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Desired state of admin changes between two replicas (two adapter managers over one skills folder
 * and one database): a change made on one is applied by the other's sync; its own change is not
 * applied twice; a spec whose directory has not reached a replica yet is reported and retried until
 * it applies.
 */
class DesiredStateTest {

  @TempDir static Path tmp;
  static Backbone backbone;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void folder() throws Exception {
    backbone = Backbone.loadDefault();
    AbFixtures.write(TestSkills.write(tmp.resolve("skills"), backbone), backbone);
  }

  @AfterAll
  static void close() {
    backbone.close();
  }

  @Test
  void aChangeOnOneReplicaConvergesOnTheOtherAndALateDirectoryIsRetried() throws Exception {
    EventDatabase db = new EventDatabase("jdbc:sqlite:" + tmp.resolve("desired.db"), null, null);
    db.migrate();
    try (AbFixtures.Managed a = AbFixtures.Managed.open(backbone, tmp);
        AbFixtures.Managed b = AbFixtures.Managed.open(backbone, tmp)) {
      ExperimentService ea =
          new ExperimentService(
              a.adapters(), null, new ExperimentMetrics(new SimpleMeterRegistry()), JSON);
      ExperimentService eb =
          new ExperimentService(
              b.adapters(), null, new ExperimentMetrics(new SimpleMeterRegistry()), JSON);
      SimpleMeterRegistry metricsB = new SimpleMeterRegistry();
      DesiredState da = new DesiredState(db, "a", a.adapters(), ea, JSON, null);
      DesiredState dsb = new DesiredState(db, "b", b.adapters(), eb, JSON, metricsB);
      AdminOperations opsA = new AdminOperations(a.adapters(), ea, da);

      String ada2 = AdapterFiles.readManifest(tmp.resolve("skills/ada2")).weightsFingerprint();
      opsA.replace("ada", "ada2");
      Experiment e =
          new Experiment(
              "ada-ab",
              "base",
              List.of(
                  new Experiment.Variant("a", null, 1.0),
                  new Experiment.Variant("b", "ada2", 1.0)));
      opsA.define(e);
      assertThat(dsb.converge()).isEqualTo(2);
      assertThat(b.adapters().catalog().get("ada").adapters().weightsFingerprint()).isEqualTo(ada2);
      assertThat(eb.running("ada-ab")).isPresent();
      assertThat(dsb.status().appliedVersion()).isEqualTo(2);
      assertThat(metricsB.get("adahit.admin.desired.applied.version").gauge().value())
          .isEqualTo(2.0);
      assertThat(dsb.status().served()).isEqualTo(da.status().served());

      Object servedA = a.adapters().catalog().get("ada");
      assertThat(da.converge()).as("its own changes, read back").isEqualTo(2);
      assertThat(a.adapters().catalog().get("ada")).as("not applied twice").isSameAs(servedA);

      opsA.stop("ada-ab");
      da.recordAdapter(
          "late", "late", ""); // a skill whose folder has not reached the shared volume yet
      assertThat(dsb.converge()).isEqualTo(2);
      assertThat(eb.running("ada-ab")).as("stopped on b too").isEmpty();
      assertThat(dsb.status().problems()).containsOnlyKeys("adapter/late");
      assertThat(metricsB.get("adahit.admin.desired.problems").gauge().value()).isEqualTo(1.0);

      Path late = Files.createDirectories(tmp.resolve("skills/late"));
      Files.write(late.resolve("candidates.txt"), TestSkills.basePool().subList(0, 10));
      dsb.converge();
      assertThat(b.adapters().catalog().contains("late")).as("retried at the next sync").isTrue();
      assertThat(dsb.status().problems()).isEmpty();

      da.converge();
      assertThat(a.adapters().catalog().contains("late")).isTrue();
      opsA.unload("late");
      dsb.converge();
      assertThat(b.adapters().catalog().contains("late")).as("unloaded on b too").isFalse();
    }
  }
}
