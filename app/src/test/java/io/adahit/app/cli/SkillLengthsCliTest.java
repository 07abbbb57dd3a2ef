package io.adahit.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.adahit.agents.adapters.AdapterConfig;
import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.adapters.AdapterInit;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.adapters.Provenance;
import io.adahit.agents.backbone.Backbone;
import io.adahit.eval.teachers.SharedData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * eval_model and compare rank each skill at the lengths its manifest records ({@code short}: 64 /
 * 32) unless a flag says otherwise, the zero-shot backbone at 256 / 128, and the reports record the
 * lengths used per skill.
 */
class SkillLengthsCliTest {

  @TempDir static Path dir;
  private static Path skills;

  @BeforeAll
  static void writeSkills() throws Exception {
    skills = dir.resolve("skills");
    try (Backbone b = Backbone.loadDefault()) {
      try (AdapterSet s =
          AdapterSet.create(
              b,
              AdapterConfig.houlsby("short", 6).withBottleneck(8).withTopLayers(1),
              new AdapterInit(41, 0.5, 0.5))) {
        AdapterFiles.save(
            s,
            skills.resolve("short"),
            new Provenance(
                List.of(),
                10L,
                0L,
                1e-3,
                null,
                Map.of("context_length", "64", "reply_length", "32")));
      }
      try (AdapterSet s =
          AdapterSet.create(
              b,
              AdapterConfig.houlsby("plain", 6).withBottleneck(8).withTopLayers(1),
              new AdapterInit(42, 0.5, 0.5))) {
        AdapterFiles.save(s, skills.resolve("plain"), Provenance.pending());
      }
    }
  }

  private static JsonNode run(String name, String... args) throws Exception {
    Path rf = dir.resolve(name + ".json");
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
            "--skills-dir",
            skills.toString(),
            "--no-cache",
            "-rf",
            rf.toString()));
    int code = cmd.execute(all.toArray(String[]::new));
    assertThat(code).as(err.toString()).isZero();
    return EvalCliTest.read(rf);
  }

  private static double metric(JsonNode r, String key) {
    return r.get("report").get(key).asDouble();
  }

  @Test
  void evalModelRanksASkillAtItsTrainingLengthsUnlessAFlagSaysOtherwise() throws Exception {
    JsonNode own = run("own", "eval_model", "-t", "convai2", "-ne", "24", "--skill", "short");
    JsonNode explicit =
        run(
            "explicit",
            "eval_model",
            "-t",
            "convai2",
            "-ne",
            "24",
            "--skill",
            "short",
            "--text-truncate",
            "64",
            "--label-truncate",
            "32");
    JsonNode longer =
        run(
            "longer",
            "eval_model",
            "-t",
            "convai2",
            "-ne",
            "24",
            "--skill",
            "short",
            "--text-truncate",
            "256",
            "--label-truncate",
            "128");
    for (String m : List.of("hits@1", "hits@5", "mrr", "rank")) {
      assertThat(metric(own, m)).as(m).isEqualTo(metric(explicit, m));
    }
    assertThat(metric(own, "mrr"))
        .as("at 256 / 128 it ranks otherwise")
        .isNotEqualTo(metric(longer, "mrr"));
    assertThat(own.get("opt").get("text_truncate").asInt()).isEqualTo(64);
    assertThat(own.get("opt").get("label_truncate").asInt()).isEqualTo(32);
    assertThat(own.get("opt").at("/lengths/short/from").asText()).isEqualTo("training");
    assertThat(explicit.get("opt").at("/lengths/short/from").asText()).isEqualTo("override");
    assertThat(longer.get("opt").get("text_truncate").asInt()).isEqualTo(256);
    JsonNode partial =
        run(
            "partial",
            "eval_model",
            "-t",
            "convai2",
            "-ne",
            "2",
            "--skill",
            "short",
            "--text-truncate",
            "100");
    assertThat(partial.get("opt").at("/lengths/short/text_truncate").asInt()).isEqualTo(100);
    assertThat(partial.get("opt").at("/lengths/short/label_truncate").asInt())
        .as("the skill's own")
        .isEqualTo(32);
    JsonNode zeroShot = run("zs", "eval_model", "-t", "convai2", "-ne", "2");
    assertThat(zeroShot.get("opt").get("text_truncate").asInt())
        .as("the harness default")
        .isEqualTo(256);
    assertThat(zeroShot.get("opt").get("label_truncate").asInt()).isEqualTo(128);
    assertThat(zeroShot.get("opt").at("/lengths/zero-shot/from").asText()).isEqualTo("default");
  }

  @Test
  void compareRanksEachSideAtItsOwnSkillsLengths() throws Exception {
    JsonNode own = run("own-c", "eval_model", "-t", "convai2", "-ne", "24", "--skill", "short");
    JsonNode plain = run("plain-c", "eval_model", "-t", "convai2", "-ne", "24", "--skill", "plain");
    JsonNode cmp =
        run(
            "cmp",
            "compare",
            "-t",
            "convai2",
            "-ne",
            "24",
            "--a-skill",
            "short",
            "--b-skill",
            "plain",
            "--bootstrap-samples",
            "50");
    assertThat(cmp.at("/report/comparison/convai2/a_hits@1").asDouble())
        .isEqualTo(metric(own, "hits@1"));
    assertThat(cmp.at("/report/comparison/convai2/b_hits@1").asDouble())
        .isEqualTo(metric(plain, "hits@1"));
    assertThat(cmp.at("/report/a/mrr").asDouble()).isEqualTo(metric(own, "mrr"));
    assertThat(cmp.at("/opt/a/lengths/short/text_truncate").asInt()).isEqualTo(64);
    assertThat(cmp.at("/opt/b/lengths/plain/text_truncate").asInt()).isEqualTo(256);
    assertThat(cmp.at("/opt/b/lengths/plain/from").asText()).isEqualTo("default");
    assertThat(cmp.get("opt").get("text_truncate").isNull()).as("the sides differ").isTrue();
  }
}
