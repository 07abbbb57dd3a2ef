package io.adahit.eval.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.eval.harness.TaskResult;
import io.adahit.eval.metrics.Report;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
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
    RunResults results =
        RunResults.of(List.of(new TaskResult("convai2", r, 0, -1, -1)), 0, false, List.of());
    Path f = dir.resolve("r.json");
    new ReportWriter(JSON).write(f, TestReports.options("convai2"), results);
    assertThat(Files.readString(f))
        .contains(
            "\"rank_counts\": {\n                \"3\": {\n"
                + "                    \"1\": 1,\n                    \"3\": 1\n");
    ReportFile back = ReportFile.read(JSON, f);
    assertThat(back.report().tasks().get(0).counts().toReport().toMap()).isEqualTo(r.toMap());
    assertThat(back.opt().data().task()).isEqualTo("convai2");
    assertThat(back.report().overall().mrr()).isEqualTo((1 + 1.0 / 3) / 2);
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
