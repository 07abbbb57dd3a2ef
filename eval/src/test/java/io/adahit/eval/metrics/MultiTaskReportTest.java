package io.adahit.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MultiTaskReportTest {

  private static Report report(int k, int... ranks) {
    Report r = new Report();
    for (int rank : ranks) {
      r.addRanking("e", ReportTest.ranked(k, rank), List.of("gold"));
    }
    return r;
  }

  @Test
  void macroAveragesAndPrefixesTaskKeys() {
    Map<String, Report> byTask = new LinkedHashMap<>();
    byTask.put("convai2", report(20, 1, 2)); // hits@1 .5, hits@5 1, mrr .75, rank 1.5
    byTask.put("blended_skill_talk", report(100, 1, 1, 1, 100)); // .75, .75, .7525, 25.75
    Map<String, Number> m = new MultiTaskReport(byTask).toMap();

    assertThat(m.get("exs")).isEqualTo(6L); // a sum, not an average
    assertThat(m.get("hits@1").doubleValue()).isCloseTo(0.625, within(1e-12));
    assertThat(m.get("accuracy").doubleValue()).isCloseTo(0.625, within(1e-12));
    assertThat(m.get("hits@5").doubleValue()).isCloseTo(0.875, within(1e-12));
    assertThat(m.get("hits@100").doubleValue())
        .isCloseTo(1.0, within(1e-12)); // as ParlAI: K = 20 counts too
    assertThat(m.get("mrr").doubleValue()).isCloseTo((0.75 + 0.7525) / 2, within(1e-12));
    assertThat(m.get("rank").doubleValue()).isCloseTo((1.5 + 25.75) / 2, within(1e-12));
    assertThat(m)
        .containsEntry("convai2/exs", 2L)
        .containsEntry("convai2/hits@1", 0.5)
        .containsEntry("blended_skill_talk/exs", 4L)
        .containsEntry("blended_skill_talk/hits@100", 1.0)
        .containsEntry("convai2/hits@100", 1.0);
    assertThat(m.keySet().iterator().next()).isEqualTo("exs");
  }

  @Test
  void singleTaskIsReportedWithoutPrefixes() {
    Report r = report(20, 1, 3);
    assertThat(new MultiTaskReport(Map.of("convai2", r)).toMap()).isEqualTo(r.toMap());
  }

  @Test
  void rejectsNoTasksAndSlashesInNames() {
    assertThatThrownBy(() -> new MultiTaskReport(Map.of()))
        .hasMessage("reportsByTask must name at least one task, found none");
    assertThatThrownBy(() -> new MultiTaskReport(Map.of("a/b", new Report())))
        .hasMessage("task names must be non-empty and contain no '/', found 'a/b'");
  }
}
