package io.adahit.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.adahit.agents.adapters.AdapterConfig;
import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.adapters.AdapterInit;
import io.adahit.agents.adapters.AdapterKind;
import io.adahit.agents.adapters.AdapterManifest;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.adapters.Provenance;
import io.adahit.agents.adapters.SkillRegistry;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.routing.RouterManifest;
import io.adahit.agents.routing.SkillRouter;
import io.adahit.eval.harness.Contamination;
import io.adahit.eval.harness.RankingModel;
import io.adahit.eval.teachers.SharedData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code adahit train --mode fusion} and {@code --mode router} end to end on tiny real slices. */
class FusionAndRouterTrainTest {

  private record Run(int code, String out, String err) {}

  private static Backbone backbone;

  @BeforeAll
  static void load() throws Exception {
    backbone = Backbone.loadDefault();
  }

  @AfterAll
  static void close() {
    backbone.close();
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  /** Two frozen skills with weights far from the identity, as trained skills would be. */
  private static void writeSkills(Path skills) throws Exception {
    for (String name : List.of("convai2", "empathetic_dialogues")) {
      try (AdapterSet s =
          AdapterSet.create(
              backbone,
              AdapterConfig.houlsby(name, 6).withBottleneck(8).withTopLayers(1),
              new AdapterInit(name.length(), 0.3, 0.3))) {
        Provenance p =
            name.equals("convai2")
                ? new Provenance(
                    List.of(
                        Provenance.TrainingFile.of(
                            SharedData.dir().resolve("convai2/fsb_persona_1000.json"))),
                    10L,
                    0L,
                    1e-3,
                    null,
                    java.util.Map.of())
                : Provenance.pending();
        AdapterFiles.save(s, skills.resolve(name), p);
      }
    }
  }

  @Test
  void trainsAFusionOverSkillsOfTheFolderThatTheRegistryThenServes(@TempDir Path dir)
      throws Exception {
    Path skills = dir.resolve("skills");
    writeSkills(skills);
    Path out = skills.resolve("wow_fusion");
    Run r =
        run(
            "train",
            "--mode",
            "fusion",
            "-t",
            "wizard_of_wikipedia",
            "--fuse",
            "convai2,empathetic_dialogues",
            "--skills-dir",
            skills.toString(),
            "--out",
            out.toString(),
            "--datapath",
            SharedData.dir().toString(),
            "--steps",
            "2",
            "-bs",
            "8",
            "--max-train-pairs",
            "32",
            "--valid-pairs",
            "16",
            "--valid-candidates",
            "5",
            "--context-length",
            "32",
            "--reply-length",
            "16",
            "--checkpoint-dir",
            dir.resolve("ckpt").toString(),
            "--layer-cache-dir",
            "none");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("wrote " + out + ": fusion");
    AdapterManifest m = AdapterFiles.readManifest(out);
    assertThat(m.config().kind()).isEqualTo(AdapterKind.FUSION);
    assertThat(m.config().skill()).isEqualTo("wow_fusion");
    assertThat(m.config().layers()).containsExactly(5);
    assertThat(m.fused())
        .extracting(AdapterManifest.FusedRef::skill)
        .containsExactly("convai2", "empathetic_dialogues");
    assertThat(m.provenance().settings())
        .containsEntry("mode", "fusion")
        .containsEntry("fused", "convai2,empathetic_dialogues");
    assertThat(m.provenance().trainingFiles())
        .extracting(Provenance.TrainingFile::path)
        .contains("wow/fsb_wow_test_random_split.json");
    try (SkillRegistry registry = new SkillRegistry(backbone)) {
      SkillRegistry.LoadReport report = registry.loadFolder(skills);
      assertThat(report.ok()).as("failures %s", report.failures()).isTrue();
      assertThat(registry.get("wow_fusion").fused())
          .containsExactly(registry.get("convai2"), registry.get("empathetic_dialogues"));
    }
    // evaluating the fusion counts its fused skills' training data for the contamination guard
    try (RankingModel model = RankingModel.skill(backbone, skills, "wow_fusion")) {
      assertThat(model.trainingFiles())
          .extracting(Contamination.TrainingSource::skill)
          .contains("wow_fusion", "convai2");
      assertThat(model.encoderId())
          .contains("/fused/convai2/sha256:", "/fused/empathetic_dialogues/sha256:");
      assertThat(model.describe()).containsKey("fused_adapters");
    }
  }

  @Test
  void misusedFusionAndRouterOptionsAreExplained(@TempDir Path dir) throws Exception {
    Path skills = dir.resolve("skills");
    writeSkills(skills);
    Run noFuse =
        run(
            "train",
            "--mode",
            "fusion",
            "-t",
            "blended_skill_talk",
            "--out",
            dir.resolve("f").toString());
    assertThat(noFuse.code()).isNotZero();
    assertThat(noFuse.err()).contains("--mode fusion needs --fuse SKILL,SKILL,...");
    Run fuseWithAda =
        run(
            "train",
            "--mode",
            "ada",
            "-t",
            "convai2",
            "--fuse",
            "convai2",
            "--out",
            dir.toString());
    assertThat(fuseWithAda.err()).contains("--fuse is only for --mode fusion");
    Run unknown =
        run(
            "train",
            "--mode",
            "fusion",
            "-t",
            "wizard_of_wikipedia",
            "--fuse",
            "convai2,wow",
            "--skills-dir",
            skills.toString(),
            "--out",
            dir.resolve("f").toString(),
            "--datapath",
            SharedData.dir().toString(),
            "--max-train-pairs",
            "16",
            "--valid-pairs",
            "8",
            "--steps",
            "1",
            "-bs",
            "8",
            "--layer-cache-dir",
            "none");
    assertThat(unknown.code()).isNotZero();
    assertThat(unknown.err())
        .contains("--fuse: skill 'wow' not found in skills folder")
        .contains("known skills: [convai2, empathetic_dialogues]");
    Run oneTask =
        run("train", "--mode", "router", "-t", "convai2", "--out", dir.resolve("auto").toString());
    assertThat(oneTask.err())
        .contains("--mode router chooses between skills; give at least two with -t");
  }

  @Test
  void trainsARouterAboveChanceOnHeldOutTrainingDialogues(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("auto");
    Run r =
        run(
            "train",
            "--mode",
            "router",
            "-t",
            "wizard_of_wikipedia,empathetic_dialogues",
            "--out",
            out.toString(),
            "--datapath",
            SharedData.dir().toString(),
            "--max-train-pairs",
            "60",
            "--valid-pairs",
            "40",
            "--context-length",
            "64");
    assertThat(r.code()).as(r.err()).isZero();
    Matcher acc = Pattern.compile("held-out routing accuracy ([0-9.]+)").matcher(r.out());
    assertThat(acc.find()).as(r.out()).isTrue();
    assertThat(Double.parseDouble(acc.group(1)))
        .as("held-out routing accuracy (chance 0.5)")
        .isGreaterThan(0.7);
    assertThat(r.out())
        .contains(
            "wrote " + out + ": router 'auto' over [wizard_of_wikipedia, empathetic_dialogues]");
    RouterManifest m = SkillRouter.readManifest(out);
    assertThat(m.maxLength()).isEqualTo(64);
    assertThat(m.provenance().trainingFiles())
        .extracting(Provenance.TrainingFile::path)
        .contains("ed/train.jsonl.gz");
    assertThat(m.provenance().settings()).containsKey("held_out_routing_accuracy_per_skill");
    SkillRouter router = SkillRouter.load(out, backbone);
    assertThat(router.route("i was so sad when my dog died last week").probabilities())
        .containsOnlyKeys("wizard_of_wikipedia", "empathetic_dialogues");
  }
}
