package io.adahit.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportFileTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void countsSurviveAWriteAndARead() throws IOException {
    Report r = new Report();
    r.addRanking("a", List.of("gold", "x", "y"), List.of("gold"));
    r.addRanking("b", List.of("x", "y", "gold"), List.of("gold"));
    Map<String, Report> byTask = new LinkedHashMap<>();
    byTask.put("convai2", r);
    Path f = dir.resolve("r.json");
    new ReportWriter(JSON).write(f, Map.of("task", "convai2"), r.toMap(), byTask);
    assertThat(Files.readString(f))
        .contains(
            "\"rank_counts\": {\n                \"3\": {\n"
                + "                    \"1\": 1,\n                    \"3\": 1\n");
    ReportFile back = ReportFile.read(JSON, f);
    assertThat(back.counts().get("convai2").toMap()).isEqualTo(r.toMap());
    assertThat(back.opt()).containsEntry("task", "convai2");
    assertThat(back.report()).containsEntry("mrr", (1 + 1.0 / 3) / 2);
  }

  @Test
  void malformedFilesAreRefusedNamingTheFileAndField() throws IOException {
    Path f = dir.resolve("bad.json");
    Files.writeString(
        f,
        "{\"opt\": {}, \"report\": {}, \"counts\": {\"convai2\": {\"exs\": 3,"
            + " \"bad_candidates\": 0, \"ignore_bad_candidates\": false, \"rank_counts\": {\"20\": {\"1\": 2}}}}}");
    assertThatThrownBy(() -> ReportFile.read(JSON, f))
        .hasMessage(f + ": counts of task 'convai2': exs is 3 but rank_counts add up to 2");
    Files.writeString(
        f,
        "{\"opt\": {}, \"report\": {}, \"counts\": {\"convai2\": {\"exs\": 1,"
            + " \"bad_candidates\": 0, \"ignore_bad_candidates\": false, \"rank_counts\": {\"20\": {\"21\": 1}}}}}");
    assertThatThrownBy(() -> ReportFile.read(JSON, f))
        .hasMessage(
            f
                + ": counts of task 'convai2': rank count: need 1 <= rank <= K, found rank 21 of K 20");
    Files.writeString(f, "{\"opt\": {}");
    assertThatThrownBy(() -> ReportFile.read(JSON, f))
        .hasMessageStartingWith(f + ": not valid JSON");
    Files.writeString(f, "[]");
    assertThatThrownBy(() -> ReportFile.read(JSON, f))
        .hasMessageContaining("expected an eval_model report");
    assertThatThrownBy(() -> ReportFile.read(JSON, dir.resolve("none.json")))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("report file not found");
  }
}
