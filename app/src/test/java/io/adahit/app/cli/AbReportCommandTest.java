package io.adahit.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.agents.adapters.AdapterConfig;
import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.adapters.AdapterInit;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.adapters.Provenance;
import io.adahit.agents.backbone.Backbone;
import io.adahit.eval.teachers.SharedData;
import io.adahit.server.events.AssignmentRecord;
import io.adahit.server.events.EventDatabase;
import io.adahit.server.events.EventStore;
import io.adahit.server.events.FeedbackRecord;
import io.adahit.server.experiments.Experiment;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ab-report}: the online report from a real event store, with the offline comparison
 * attached.
 */
class AbReportCommandTest {

  @TempDir static Path dir;
  private static String url;

  @BeforeAll
  static void store() throws Exception {
    Path skills = dir.resolve("skills");
    try (Backbone b = Backbone.loadDefault()) {
      int layers = b.config().numLayers();
      try (AdapterSet a =
              AdapterSet.create(
                  b,
                  AdapterConfig.houlsby("conv", layers).withTopLayers(2),
                  AdapterInit.seeded(1));
          AdapterSet v2 =
              AdapterSet.create(
                  b,
                  AdapterConfig.houlsby("conv_v2", layers).withTopLayers(2),
                  new AdapterInit(2, 0.05, 0.05))) {
        AdapterFiles.save(a, skills.resolve("conv"), Provenance.pending());
        AdapterFiles.save(v2, skills.resolve("conv_v2"), Provenance.pending());
      }
    }
    url = "jdbc:sqlite:" + dir.resolve("events.db");
    Experiment e =
        new Experiment(
            "conv-ab",
            "conv",
            List.of(
                new Experiment.Variant("a", null, 1.0),
                new Experiment.Variant("b", "conv_v2", 1.0)));
    try (EventStore store =
        EventStore.open(new EventDatabase(url, null, null), "test", Clock.systemUTC())) {
      store
          .saveExperiment(
              e.name(), e.skill(), new ObjectMapper().writeValueAsString(e), "config", true)
          .join();
      for (int i = 0; i < 100; i++) {
        String v = i < 50 ? "a" : "b";
        store
            .recordAssignment(new AssignmentRecord("c" + i, "conv-ab", v, "conv", "websocket"))
            .join();
        // thumbs up: a 20 of 50, b 30 of 50
        boolean up = v.equals("a") ? i < 20 : i < 80;
        store
            .recordFeedback(new FeedbackRecord("c" + i, "conv-ab", v, "conv", 0, null, null, up))
            .join();
      }
    }
  }

  /** What one command printed and returned. */
  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    CommandLine cmd = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--datapath",
            SharedData.dir().toString(),
            "--cache-dir",
            dir.resolve("cache").toString()));
    int code = cmd.execute(all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void reportsTheOnlineOutcomeAndTheOfflineComparisonTogether() throws Exception {
    Path rf = dir.resolve("ab.json");
    Run r =
        run(
            "ab-report",
            "conv-ab",
            "--db",
            url,
            "--skills-dir",
            dir.resolve("skills").toString(),
            "--offline-task",
            "convai2",
            "-ne",
            "12",
            "--bootstrap-samples",
            "100",
            "-rf",
            rf.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("experiment 'conv-ab' on skill 'conv'")
        .contains("b vs a")
        .contains("offline: b (B) vs a (A) on convai2")
        .contains("McNemar p");
    JsonNode report = new ObjectMapper().readTree(rf.toFile()).get("report");
    JsonNode a = report.get("online").get("variants").get(0);
    JsonNode b = report.get("online").get("variants").get(1);
    assertThat(a.get("thumbs_up_rate").asDouble()).isEqualTo(0.4);
    assertThat(b.get("thumbs_up_rate").asDouble()).isEqualTo(0.6);
    // 20/50 vs 30/50: pooled .5, SE = sqrt(.25 * .04) = .1, z = 2.0, p = 0.0455
    JsonNode c = report.get("online").get("comparisons").get(0);
    assertThat(c.get("thumbs_z").asDouble())
        .isCloseTo(2.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(c.get("thumbs_p").asDouble())
        .isCloseTo(0.0455, org.assertj.core.data.Offset.offset(1e-4));
    JsonNode offline = report.get("offline").get("b_vs_a").get("convai2");
    assertThat(offline.get("exs").asInt()).isEqualTo(12);
    assertThat(offline.get("ci_low").asDouble())
        .isLessThanOrEqualTo(offline.get("diff").asDouble());
  }

  @Test
  void aMistypedSqlitePathIsAClearErrorAndCreatesNothing() {
    Path missing = dir.resolve("typo").resolve("evnets.db");
    Run r = run("ab-report", "conv-ab", "--db", "jdbc:sqlite:" + missing);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .contains("ab-report: error: event store jdbc:sqlite:" + missing)
        .contains("no SQLite file " + missing.toAbsolutePath());
    assertThat(missing).doesNotExist();
    assertThat(missing.getParent()).as("not even its folder").doesNotExist();
  }

  @Test
  void aDatabaseWithoutTheSchemaIsAClearErrorAndIsNotMigrated() throws Exception {
    Path empty =
        java.nio.file.Files.createFile(
            dir.resolve("empty.db")); // an empty file is an empty SQLite db
    Run r = run("ab-report", "conv-ab", "--db", "jdbc:sqlite:" + empty);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .contains("ab-report: error: event store jdbc:sqlite:" + empty)
        .contains("holds no A/B event schema");
    assertThat(java.nio.file.Files.size(empty)).as("nothing written to it").isZero();
  }

  @Test
  void anUnknownExperimentIsOneClearLine() {
    Run r = run("ab-report", "nope", "--db", url);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .contains("ab-report: error: experiment 'nope' is not in the event store")
        .contains("stored experiments: [conv-ab]");
  }
}
