package io.adahit.eval.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.eval.harness.TaskResult;
import io.adahit.eval.metrics.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every eval_model report committed under {@code eval/results} (files of several versions of this
 * tool) reads into the typed report and writes back as the same JSON tree, nothing ignored; and a
 * freshly written report keeps eval_model's key order.
 */
class ReportRoundTripTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The committed eval_model reports: {@code {"opt", "report": {"exs", ...}, ...}}. */
  private static List<Path> committedReports() throws Exception {
    Path results = Path.of("results"); // tests run in the eval module's folder
    assertThat(results).isDirectory();
    List<Path> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(results)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        JsonNode root = JSON.readTree(f.toFile());
        if (root.path("opt").isObject() && root.path("report").has("exs")) {
          out.add(f);
        }
      }
    }
    return out;
  }

  @Test
  void everyCommittedReportReadsAndWritesBackTheSameTree() throws Exception {
    List<Path> reports = committedReports();
    assertThat(reports).hasSizeGreaterThanOrEqualTo(40); // seed000, recipe, backbone, ...
    ReportWriter writer = new ReportWriter(JSON);
    for (Path f : reports) {
      ReportFile typed = ReportFile.read(JSON, f);
      JsonNode back = JSON.readTree(writer.toJson(writer.tree(typed.opt(), typed.report())));
      assertThat(back).as(f.toString()).isEqualTo(JSON.readTree(f.toFile()));
    }
  }

  @Test
  void aCommittedReportKeepsItsKeyOrder() throws Exception {
    Path f = Path.of("results/zero-shot-minilm-valid.json"); // four tasks, tokens, totals
    ReportFile typed = ReportFile.read(JSON, f);
    ReportWriter writer = new ReportWriter(JSON);
    JsonNode back = writer.tree(typed.opt(), typed.report());
    JsonNode original = JSON.readTree(f.toFile());
    for (String part : List.of("opt", "report")) {
      assertThat(List.copyOf(iterable(back.get(part))))
          .as(part)
          .isEqualTo(List.copyOf(iterable(original.get(part))));
    }
  }

  private static List<String> iterable(JsonNode n) {
    List<String> keys = new ArrayList<>();
    n.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  @Test
  void aNewReportWritesTheKeysInEvalModelOrder(@TempDir Path dir) throws Exception {
    Report a = new Report();
    a.addRanking("a", List.of("gold", "x"), List.of("gold"));
    Report b = new Report();
    b.addRanking("b", List.of("x", "gold"), List.of("gold"));
    RunResults r =
        RunResults.of(
            List.of(new TaskResult("convai2", a, 1.0, 2, 0), new TaskResult("wow", b, 2.0, -1, -1)),
            3.0,
            true,
            List.of());
    Path file = dir.resolve("r.json");
    new ReportWriter(JSON).write(file, TestReports.options("convai2,wow"), r);
    assertThat(iterable(JSON.readTree(file.toFile()).get("report")))
        .containsExactly(
            "exs",
            "accuracy",
            "f1",
            "hits@1",
            "hits@5",
            "hits@10",
            "hits@100",
            "mrr",
            "rank",
            "convai2/exs",
            "convai2/accuracy",
            "convai2/f1",
            "convai2/hits@1",
            "convai2/hits@5",
            "convai2/hits@10",
            "convai2/hits@100",
            "convai2/mrr",
            "convai2/rank",
            "wow/exs",
            "wow/accuracy",
            "wow/f1",
            "wow/hits@1",
            "wow/hits@5",
            "wow/hits@10",
            "wow/hits@100",
            "wow/mrr",
            "wow/rank",
            "contaminated",
            "convai2/wall_time_s",
            "convai2/exs_per_s",
            "convai2/exps",
            "convai2/encoded_texts",
            "convai2/cached_texts",
            "wow/wall_time_s",
            "wow/exs_per_s",
            "wow/exps",
            "total_wall_time_s",
            "exps");
    ReportFile back = ReportFile.read(JSON, file);
    assertThat(back.report()).isEqualTo(r);
  }
}
