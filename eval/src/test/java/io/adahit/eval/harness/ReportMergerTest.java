package io.adahit.eval.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.agents.backbone.EncoderWork;
import io.adahit.agents.ranker.Ranker;
import io.adahit.agents.ranker.RankerOptions;
import io.adahit.eval.metrics.Report;
import io.adahit.eval.report.ReportFile;
import io.adahit.eval.report.ReportWriter;
import io.adahit.eval.report.RunOptions;
import io.adahit.eval.report.RunResults;
import io.adahit.eval.report.TaskCounts;
import io.adahit.eval.report.TestReports;
import io.adahit.eval.teachers.Datatype;
import io.adahit.eval.teachers.SharedData;
import io.adahit.eval.teachers.Teacher;
import io.adahit.eval.teachers.TeacherOptions;
import io.adahit.eval.teachers.TeacherRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shards of a real two-task slice (80 ConvAI2 + 60 BST examples, bag-of-words ranker) written as
 * report files, read back and merged: the merged metrics are exactly the single run's.
 */
class ReportMergerTest {

  private static Map<String, Object> flat(RunResults r) {
    return TestReports.flat(r);
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static List<Teacher> teachers;

  @TempDir Path tmp;

  @BeforeAll
  static void loadTeachers() throws Exception {
    TeacherRegistry registry = TeacherRegistry.builtIn();
    TeacherOptions opts = TeacherOptions.of(SharedData.dir(), Datatype.VALID);
    teachers =
        List.of(registry.create("convai2", opts), registry.create("blended_skill_talk", opts));
  }

  /** Evaluates the shard and writes its -rf file as eval_model does. */
  private Path runShard(Shard shard, int ne, String name) throws Exception {
    Evaluator ev =
        new Evaluator(new Ranker(EvaluatorTest.BAG_OF_WORDS, RankerOptions.defaults()), 16, false);
    List<TaskResult> results = new ArrayList<>();
    for (EvalPlan.Task t :
        EvalPlan.prepare(teachers, ne, shard, CandidateMode.INLINE, List.of(), 16, w -> {})) {
      Report r = ev.evaluate(t.examples(), CandidateMode.INLINE, List.of(), n -> {}, null);
      results.add(
          new TaskResult(
              t.teacher().task(),
              r,
              1.0 + shard.shardId(),
              10,
              5,
              null,
              new EncoderWork(10, 100 * (shard.shardId() + 1), 150 * (shard.shardId() + 1))));
    }
    RunOptions opt =
        TestReports.options(
            "convai2,blended_skill_talk",
            ne,
            shard.isSharded() ? shard.numShards() : null,
            shard.isSharded() ? shard.shardId() : null);
    Path file = tmp.resolve(name);
    new ReportWriter(JSON)
        .write(file, opt, RunResults.of(results, 2.0 + shard.shardId(), false, List.of()));
    return file;
  }

  private static Map<String, Object> metricsOnly(RunResults report) {
    return flat(report).entrySet().stream()
        .filter(
            e ->
                !e.getKey()
                    .matches(
                        "(.*/|total_)?(wall_time_s|exs_per_s|exps|encoded_texts|cached_texts|encoded_tokens|padded_tokens|tokens_per_s)"))
        // JSON reads 80 back as an Integer; compare numbers by value (doubles bit for bit)
        .collect(
            Collectors.toMap(
                Map.Entry::getKey,
                e -> e.getValue() instanceof Number n ? (Object) n.doubleValue() : e.getValue(),
                (a, b) -> a,
                LinkedHashMap::new));
  }

  private static TaskCounts counts(RunResults r, String task) {
    return r.tasks().stream().filter(t -> t.task().equals(task)).findFirst().orElseThrow().counts();
  }

  @Test
  void mergedShardReportsEqualTheSingleRunExactly() throws Exception {
    int ne = 80; // convai2: 80 of 7801; BST: 80 of 5651 (episodes are cut, histories kept)
    ReportFile single = ReportFile.read(JSON, runShard(Shard.ALL, ne, "single.json"));
    List<ReportFile> shards = new ArrayList<>();
    for (int i = 2; i >= 0; i--) { // any order
      shards.add(ReportFile.read(JSON, runShard(new Shard(3, i), ne, "shard-" + i + ".json")));
    }
    ReportMerger.Merged merged = ReportMerger.merge(shards);

    assertThat(metricsOnly(merged.report())).isEqualTo(metricsOnly(single.report()));
    assertThat(flat(merged.report()))
        .containsEntry("convai2/exs", 80L)
        .containsKey("blended_skill_talk/mrr");
    assertThat(((Number) flat(single.report()).get("convai2/exs")).longValue()).isEqualTo(80);
    assertThat(shards)
        .allSatisfy(s -> assertThat(counts(s.report(), "convai2").exs()).isBetween(1L, 79L));
    assertThat(counts(merged.report(), "blended_skill_talk").rankCounts())
        .isEqualTo(counts(single.report(), "blended_skill_talk").rankCounts());
    // the parallel job's timing: slowest shard, summed cache counts
    assertThat(flat(merged.report()))
        .containsEntry("convai2/wall_time_s", 3.0)
        .containsEntry("convai2/encoded_texts", 30L)
        .containsEntry("total_wall_time_s", 4.0);
    // the backbone's tokens are summed over shards (100 + 200 + 300), tokens/s over the slowest
    // shard's time; the run's totals add both tasks
    assertThat(flat(merged.report()))
        .containsEntry("convai2/encoded_tokens", 600L)
        .containsEntry("convai2/padded_tokens", 900L)
        .containsEntry("convai2/tokens_per_s", 200.0)
        .containsEntry("total_encoded_tokens", 1200L)
        .containsEntry("total_tokens_per_s", 300.0);
    assertThat(flat(single.report()))
        .containsEntry("blended_skill_talk/encoded_tokens", 100L)
        .containsEntry("blended_skill_talk/tokens_per_s", 100.0);
    assertThat(merged.opt().shardId()).as("shard_id").isNull();
    assertThat(merged.opt().numShards()).isEqualTo(3);
    // and it survives a write and a read
    Path out = tmp.resolve("merged.json");
    new ReportWriter(JSON).write(out, merged.opt(), merged.report());
    assertThat(metricsOnly(ReportFile.read(JSON, out).report()))
        .isEqualTo(metricsOnly(single.report()));
  }

  @Test
  void refusesIncompleteRepeatedOrForeignShards() throws Exception {
    ReportFile s0 = ReportFile.read(JSON, runShard(new Shard(2, 0), 20, "a0.json"));
    ReportFile s1 = ReportFile.read(JSON, runShard(new Shard(2, 1), 20, "a1.json"));
    ReportFile other = ReportFile.read(JSON, runShard(new Shard(2, 1), 30, "b1.json"));
    assertThatThrownBy(() -> ReportMerger.merge(List.of(s0)))
        .hasMessageContaining("is one of 2 shards (num_shards), but 1 files were given");
    assertThatThrownBy(() -> ReportMerger.merge(List.of(s1, s1)))
        .hasMessageContaining("shard 1 appears twice");
    assertThatThrownBy(() -> ReportMerger.merge(List.of(s0, other)))
        .hasMessageContaining("are not shards of one run: opt.num_examples is 20 vs 30");
    Path noCounts = tmp.resolve("parlai.json");
    Files.writeString(
        noCounts,
        "{\"opt\": {\"num_shards\": 2, \"shard_id\": 1, \"task\": \"convai2,blended_skill_talk\","
            + " \"num_examples\": 20}, \"report\": {\"exs\": 3}}");
    assertThatThrownBy(() -> ReportMerger.merge(List.of(s0, ReportFile.read(JSON, noCounts))))
        .hasMessageContaining("parlai.json has no \"counts\"");
  }

  @Test
  void shardsSplitByWholeEpisodesRoundRobin() throws Exception {
    List<EvalExample> all = ContextBuilder.build(teachers.get(0), 100);
    List<EvalExample> union = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      int id = i;
      List<EvalExample> mine = new Shard(4, id).select(all);
      assertThat(mine).allMatch(e -> e.episode() % 4 == id);
      union.addAll(mine);
    }
    assertThat(union).hasSize(100).containsExactlyInAnyOrderElementsOf(all);
    assertThatThrownBy(() -> new Shard(4, 4))
        .hasMessage("--shard-id must be in 0..3 for --num-shards 4, found 4");
    assertThatThrownBy(() -> new Shard(0, 0)).hasMessage("--num-shards must be >= 1, found 0");
    assertThatThrownBy(
            () ->
                EvalPlan.prepare(
                    teachers, 10, new Shard(2, 0), CandidateMode.BATCH, List.of(), 8, w -> {}))
        .hasMessageContaining("--num-shards cannot be used with -ecands batch");
  }
}
