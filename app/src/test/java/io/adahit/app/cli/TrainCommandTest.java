package io.adahit.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.adapters.AdapterKind;
import io.adahit.agents.adapters.AdapterManifest;
import io.adahit.agents.adapters.Provenance;
import io.adahit.agents.backbone.Backbone;
import io.adahit.eval.teachers.SharedData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code adahit train} and {@code adahit pool} end to end on a tiny real slice. */
class TrainCommandTest {

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void trainsAnAdapterAndRecordsItsProvenance(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("wow");
    Run r =
        run(
            "train",
            "--mode",
            "ada",
            "-t",
            "wizard_of_wikipedia",
            "--out",
            out.toString(),
            "--datapath",
            SharedData.dir().toString(),
            "--steps",
            "3",
            "-bs",
            "8",
            "--top-layers",
            "1",
            "--bottleneck",
            "8",
            "--max-train-pairs",
            "48",
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
    assertThat(r.out()).contains("wrote " + out);
    // progress goes to the command's error writer (picocli's), not past it to System.err
    assertThat(r.err()).contains("train: 3/3 steps (100.0%)");
    AdapterManifest m = AdapterFiles.readManifest(out);
    Provenance p = m.provenance();
    assertThat(m.config().kind()).isEqualTo(AdapterKind.BOTTLENECK);
    assertThat(p.steps()).isEqualTo(3);
    assertThat(p.trainingFiles())
        .extracting(Provenance.TrainingFile::path)
        .containsExactly("wow/fsb_wow_test_random_split.json", "wow/kilt_wow_dev.jsonl");
    assertThat(p.trainingFiles().get(0).sha256())
        .isEqualTo(
            AdapterFiles.sha256(SharedData.dir().resolve("wow/fsb_wow_test_random_split.json")));
    assertThat(p.validHitsAt1()).isBetween(0.0, 1.0);
    assertThat(p.settings()).containsEntry("mode", "ada").containsEntry("optimizer", "adamax");
    // the trainer's settings and the command's own, as before the trainer built them
    assertThat(p.settings())
        .containsEntry("tasks", "wizard_of_wikipedia")
        .containsEntry("max_train_pairs", "48")
        .containsEntry("valid_pairs", "16")
        .containsEntry("valid_candidates", "5")
        .containsEntry("context_length", "32")
        .containsEntry("steps", "3")
        .containsKeys("train_pairs", "valid_hits_at_1_per_task", "learning_rate", "seed");
    try (Backbone b = Backbone.loadDefault()) {
      AdapterFiles.load(out, b, null).close();
    }
  }

  @Test
  void misusedModesAreExplained(@TempDir Path dir) {
    Run several =
        run("train", "--mode", "ada", "-t", "convai2,blended_skill_talk", "--out", dir.toString());
    assertThat(several.code()).isNotZero();
    assertThat(several.err()).contains("trains one skill").contains("--mode adahit-base");
    Run noBase = run("train", "--mode", "adahit-task", "-t", "convai2", "--out", dir.toString());
    assertThat(noBase.err()).contains("needs --base DIR");
    Run badMode = run("train", "--mode", "lora", "-t", "convai2", "--out", dir.toString());
    assertThat(badMode.err()).contains("unknown mode 'lora'");
  }

  @Test
  void poolWritesDistinctTrainingRepliesAndPersonas(@TempDir Path dir) throws Exception {
    Run r =
        run(
            "pool",
            "-t",
            "convai2",
            "--skill-dir",
            dir.toString(),
            "--datapath",
            SharedData.dir().toString(),
            "--max-candidates",
            "300",
            "--max-personas",
            "20");
    assertThat(r.code()).as(r.err()).isZero();
    var lines = Files.readAllLines(dir.resolve("candidates.txt"));
    assertThat(lines).hasSize(300).doesNotHaveDuplicates().noneMatch(String::isBlank);
    var personas = Files.readAllLines(dir.resolve("personas.txt"));
    assertThat(personas).hasSize(20).allMatch(l -> l.contains("|") && !l.contains("your persona:"));
  }
}
