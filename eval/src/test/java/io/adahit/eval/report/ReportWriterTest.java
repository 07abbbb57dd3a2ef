package io.adahit.eval.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.eval.metrics.Report;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {

  @Test
  void writesOptAndReportLikeParlaiEvalModel(@TempDir Path dir) throws IOException {
    Report r = new Report();
    r.addRanking("e", List.of("gold", "x"), List.of("gold"));
    RunOptions opt =
        TestReports.of(
            new RunOptions.Data(
                "convai2", "valid", null, null, null, null, null, 0L, null, null, null, null),
            null,
            null);
    Metrics m = Metrics.of(r.toMap());
    TaskRun task = new TaskRun("convai2", m, null, null, null, null, null, null, null, null);
    RunResults results = new RunResults(m, List.of(task), null, List.of(), null, null, null, null);
    Path file = dir.resolve("report.json");
    ObjectMapper mapper = new ObjectMapper();

    new ReportWriter(mapper).write(file, opt, results); // no counts: the task has none

    String json = Files.readString(file);
    assertThat(json)
        .startsWith("{\n    \"opt\": {\n        \"task\": \"convai2\",")
        .endsWith("}\n");
    JsonNode root = mapper.readTree(json);
    assertThat(root.properties()).extracting(Map.Entry::getKey).containsExactly("opt", "report");
    assertThat(root.get("report").get("exs").isIntegralNumber()).isTrue();
    assertThat(root.get("report").get("exs").asLong()).isEqualTo(1);
    assertThat(root.get("report").get("hits@1").asDouble()).isEqualTo(1.0);
    assertThat(root.get("opt").get("seed").asInt()).isZero();
  }
}
