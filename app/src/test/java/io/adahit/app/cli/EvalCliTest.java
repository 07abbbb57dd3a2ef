package io.adahit.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.agents.ToolVersion;
import io.adahit.agents.backbone.Backbone;
import io.adahit.eval.harness.TestSkills;
import io.adahit.eval.teachers.SharedData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The commands end to end, as a user runs them, on a few real examples with the real backbone and
 * small test adapters: adapters and their cache keys, the contamination guard, shards and
 * merge_reports, compare, and bad input.
 */
class EvalCliTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static Path skills;
  private static Path data;

  /** What one command printed and returned. */
  record Run(int code, String out, String err) {}

  @BeforeAll
  static void writeSkills() throws Exception {
    data = SharedData.dir();
    skills = dir.resolve("skills");
    Path other = Files.writeString(dir.resolve("other.txt"), "not an eval file");
    try (Backbone b = Backbone.loadDefault()) {
      // base lists BST's valid file as training data, so "hit" (stacked on base) is contaminated on
      // BST
      TestSkills.write(b, skills, data.resolve("bst/valid_dialogues.json"), other);
    }
  }

  static Run run(String... args) {
    CommandLine cmd = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of(args));
    if (!all.contains("merge_reports")) {
      if (!all.contains("--datapath")) {
        all.addAll(List.of("--datapath", data.toString()));
      }
      if (!all.contains("--cache-dir")) {
        all.addAll(List.of("--cache-dir", dir.resolve("cache").toString()));
      }
    }
    int code = cmd.execute(all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  static JsonNode read(Path f) throws Exception {
    return JSON.readTree(f.toFile());
  }

  @Test
  void adapterRunsNeverShareCacheEntriesWithZeroShotAndReportContamination() throws Exception {
    Path zs = dir.resolve("zs.json");
    Path a1 = dir.resolve("plain-1.json");
    Path a2 = dir.resolve("plain-2.json");
    Path cache = dir.resolve("cache-adapter");
    Run z =
        run(
            "eval_model",
            "-t",
            "convai2",
            "-ne",
            "5",
            "--cache-dir",
            cache.toString(),
            "-rf",
            zs.toString());
    assertThat(z.code()).as(z.err()).isZero();
    long texts = read(zs).get("report").get("encoded_texts").asLong();
    assertThat(texts).isGreaterThan(5);
    // the backbone's work: every encoded text has [CLS] and [SEP] at least; padding only adds
    long tokens = read(zs).get("report").get("encoded_tokens").asLong();
    assertThat(tokens).isGreaterThan(2 * texts);
    assertThat(read(zs).get("report").get("padded_tokens").asLong()).isGreaterThanOrEqualTo(tokens);
    assertThat(read(zs).get("report").get("tokens_per_s").asDouble()).isPositive();
    assertThat(z.out()).containsPattern("backbone: [0-9,]+ tokens encoded");
    assertThat(read(zs).get("report").has("contaminated")).isFalse();
    // provenance: the evaluated data file's SHA-256 and this tool's version
    assertThat(read(zs).at("/opt/teachers/convai2/sha256").asText()).matches("[0-9a-f]{64}");
    assertThat(read(zs).at("/opt/adahit_version").asText()).isEqualTo(ToolVersion.version());

    Run p1 =
        run(
            "eval_model",
            "-t",
            "convai2",
            "-ne",
            "5",
            "--adapter",
            skills.resolve("plain").toString(),
            "--cache-dir",
            cache.toString(),
            "-rf",
            a1.toString());
    assertThat(p1.code()).as(p1.err()).isZero();
    JsonNode r1 = read(a1);
    // nothing of the zero-shot run was served to the adapter run
    assertThat(r1.get("report").get("encoded_texts").asLong()).isEqualTo(texts);
    assertThat(r1.get("report").get("cached_texts").asLong()).isZero();
    assertThat(r1.get("report").get("contaminated").asBoolean()).isFalse();
    assertThat(r1.get("opt").get("skill").asText()).isEqualTo("plain");
    assertThat(r1.get("opt").get("adapter_fingerprint").asText()).startsWith("sha256:");
    try (Stream<Path> files = Files.list(cache)) {
      assertThat(files.count()).isEqualTo(4); // (zero-shot, adapter) x (context, candidate options)
    }
    Run p2 =
        run(
            "eval_model",
            "-t",
            "convai2",
            "-ne",
            "5",
            "--skill",
            "plain",
            "--skills-dir",
            skills.toString(),
            "--cache-dir",
            cache.toString(),
            "-rf",
            a2.toString());
    assertThat(p2.code()).as(p2.err()).isZero();
    assertThat(read(a2).get("report").get("encoded_texts").asLong()).isZero();
    assertThat(read(a2).get("report").get("encoded_tokens").asLong())
        .isZero(); // all from the cache
    assertThat(read(a2).get("report").get("mrr").asDouble())
        .isEqualTo(r1.get("report").get("mrr").asDouble());

    Path c = dir.resolve("hit-bst.json");
    Run hit =
        run(
            "eval_model",
            "-t",
            "blended_skill_talk",
            "-ne",
            "2",
            "--skill",
            "hit",
            "--skills-dir",
            skills.toString(),
            "-ecands",
            "batch",
            "-bs",
            "2",
            "-rf",
            c.toString());
    assertThat(hit.code()).as(hit.err()).isZero();
    assertThat(hit.err())
        .contains(
            "!! WARNING CONTAMINATED: task 'blended_skill_talk' evaluates "
                + data.resolve("bst/valid_dialogues.json"))
        .contains("adapter 'base' was trained on");
    JsonNode report = read(c).get("report");
    assertThat(report.get("contaminated").asBoolean()).isTrue();
    assertThat(report.get("contamination").get(0).get("data_file").asText())
        .isEqualTo(data.resolve("bst/valid_dialogues.json").toString());
    assertThat(report.get("contamination").get(0).get("adapter").asText()).isEqualTo("base");
  }

  @Test
  void shardReportsMergeIntoTheSingleRunsReport() throws Exception {
    Path single = dir.resolve("single.json");
    assertThat(
            run(
                    "eval_model",
                    "-t",
                    "convai2,empathetic_dialogues",
                    "-ne",
                    "9",
                    "-rf",
                    single.toString())
                .code())
        .isZero();
    List<String> merge = new ArrayList<>(List.of("merge_reports"));
    for (int i = 0; i < 3; i++) {
      Path shard = dir.resolve("shard-" + i + ".json");
      Run r =
          run(
              "eval_model",
              "-t",
              "convai2,empathetic_dialogues",
              "-ne",
              "9",
              "--num-shards",
              "3",
              "--shard-id",
              Integer.toString(i),
              "-rf",
              shard.toString());
      assertThat(r.code()).as(r.err()).isZero();
      merge.add(shard.toString());
    }
    Path merged = dir.resolve("merged.json");
    merge.addAll(List.of("-rf", merged.toString()));
    Run m = run(merge.toArray(String[]::new));
    assertThat(m.code()).as(m.err()).isZero();
    assertThat(m.out()).contains("convai2").contains("empathetic_dialogues");
    JsonNode a = read(single).get("report");
    JsonNode b = read(merged).get("report");
    int compared = 0;
    for (var it = a.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      // timings and encoder work are the parallel job's (a candidate may be encoded in two shards)
      if (!k.matches(
          "(.*/|total_)?(wall_time_s|exs_per_s|exps|encoded_texts|cached_texts|encoded_tokens|padded_tokens|tokens_per_s)")) {
        assertThat(b.get(k)).as(k).isEqualTo(a.get(k));
        compared++;
      }
    }
    assertThat(compared).isGreaterThanOrEqualTo(20);
    assertThat(b.get("convai2/exs").asInt()).isEqualTo(9);
    // 9 ConvAI2 examples are 2 episodes: the third shard has none of them, and still merges
    assertThat(read(dir.resolve("shard-2.json")).get("report").get("convai2/exs").asInt()).isZero();
    assertThat(
            read(dir.resolve("shard-2.json")).get("report").get("empathetic_dialogues/exs").asInt())
        .isPositive();
    assertThat(read(merged).get("opt").get("merged_from")).hasSize(3);

    Run missing =
        run(
            "merge_reports",
            dir.resolve("shard-0.json").toString(),
            dir.resolve("shard-2.json").toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err())
        .contains("merge_reports: error: merge_reports: ")
        .contains("but 2 files were given");
  }

  @Test
  void compareScoresBothSidesOnTheSameExamplesAsEvalModelDoes() throws Exception {
    Path zs = dir.resolve("cmp-zs.json");
    Path plain = dir.resolve("cmp-plain.json");
    assertThat(run("eval_model", "-t", "convai2", "-ne", "12", "-rf", zs.toString()).code())
        .isZero();
    assertThat(
            run(
                    "eval_model",
                    "-t",
                    "convai2",
                    "-ne",
                    "12",
                    "--adapter",
                    skills.resolve("plain").toString(),
                    "-rf",
                    plain.toString())
                .code())
        .isZero();
    Path cmp = dir.resolve("cmp.json");
    Run r =
        run(
            "compare",
            "-t",
            "convai2",
            "-ne",
            "12",
            "--b-adapter",
            skills.resolve("plain").toString(),
            "--bootstrap-samples",
            "200",
            "-rf",
            cmp.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("A = zero-shot").contains("B = plain").contains("McNemar p");
    JsonNode c = read(cmp).get("report").get("comparison").get("convai2");
    double a1 = read(zs).get("report").get("hits@1").asDouble();
    double b1 = read(plain).get("report").get("hits@1").asDouble();
    assertThat(c.get("exs").asInt()).isEqualTo(12);
    assertThat(c.get("a_hits@1").asDouble()).isEqualTo(a1);
    assertThat(c.get("b_hits@1").asDouble()).isEqualTo(b1);
    assertThat(c.get("diff").asDouble())
        .isCloseTo(b1 - a1, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(c.get("ci_low").asDouble()).isLessThanOrEqualTo(c.get("diff").asDouble());
    assertThat(c.get("ci_high").asDouble()).isGreaterThanOrEqualTo(c.get("diff").asDouble());
    assertThat(c.get("mcnemar_exact_p").asDouble()).isBetween(0.0, 1.0);
    assertThat(c.get("bootstrap_samples").asInt()).isEqualTo(200);
  }

  @Test
  void badInputGetsOneClearLineAndExitCode1() throws Exception {
    Run unknown = run("eval_model", "-t", "convai3");
    assertThat(unknown.code()).isEqualTo(1);
    assertThat(unknown.err().strip())
        .isEqualTo(
            "eval_model: error: unknown task 'convai3'; known tasks:"
                + " blended_skill_talk, convai2, empathetic_dialogues, fromfile, fromfile:fbformat,"
                + " fromfile:parlaiformat, wizard_of_wikipedia");

    Path empty = Files.createDirectories(dir.resolve("empty-data"));
    Run missing = run("eval_model", "-t", "wizard_of_wikipedia", "--datapath", empty.toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err())
        .contains(
            "data file fsb_wow_valid_random_split.json not found in folder "
                + empty.toAbsolutePath().resolve("wow"));

    Path bad =
        Files.writeString(
            dir.resolve("bad.txt"), "text:hi\tlabels:yo\tlabel_candidates:yo|no\noops\n");
    Run malformed = run("eval_model", "-t", "fromfile", "--fromfile-datapath", bad.toString());
    assertThat(malformed.code()).isEqualTo(1);
    assertThat(malformed.err()).contains(bad + ":2: every field must be name:value, found 'oops'");

    Path noCands =
        Files.writeString(dir.resolve("nocands.txt"), "text:hi\tlabels:yo\tepisode_done:True\n");
    Run emptyCands = run("eval_model", "-t", "fromfile", "--fromfile-datapath", noCands.toString());
    assertThat(emptyCands.code()).isEqualTo(1);
    assertThat(emptyCands.err())
        .contains("has an empty candidate list; use -ecands batch or fixed");

    Run zero = run("eval_model", "-t", "convai2", "-ne", "0");
    assertThat(zero.err()).contains("-ne must be -1 (all) or >= 1, found 0");

    Run skill =
        run(
            "eval_model",
            "-t",
            "convai2",
            "-ne",
            "1",
            "--skill",
            "nope",
            "--skills-dir",
            skills.toString());
    assertThat(skill.code()).isEqualTo(1);
    assertThat(skill.err())
        .contains("unknown skill 'nope' in skills folder")
        .contains("[base, head, hit, plain]");
  }

  @Test
  void numExamplesBeyondTheSplitIsClampedWithAWarning() throws Exception {
    Path two =
        Files.writeString(
            dir.resolve("two.txt"),
            "text:hi\tlabels:hello\tlabel_candidates:hello|bye\n"
                + "text:how are you?\tlabels:fine thanks\tlabel_candidates:fine thanks|the sea\tepisode_done:True\n");
    Path rf = dir.resolve("two.json");
    Run r =
        run(
            "eval_model",
            "-t",
            "fromfile",
            "--fromfile-datapath",
            two.toString(),
            "-ne",
            "50",
            "-rf",
            rf.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err())
        .contains(
            "warning: -ne 50 is more than the 2 examples of fromfile valid; evaluating all 2");
    assertThat(read(rf).get("report").get("exs").asInt()).isEqualTo(2);
  }
}
