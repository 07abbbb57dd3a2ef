package io.adahit.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {

  @Test
  void writesOptAndReportLikeParlaiEvalModel(@TempDir Path dir) throws IOException {
    Report r = new Report();
    r.addRanking("e", List.of("gold", "x"), List.of("gold"));
    Map<String, Object> opt = new LinkedHashMap<>();
    opt.put("task", "convai2");
    opt.put("datatype", "valid");
    opt.put("seed", 0);
    Path file = dir.resolve("report.json");
    ObjectMapper mapper = new ObjectMapper();

    new ReportWriter(mapper).write(file, opt, r.toMap());

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
