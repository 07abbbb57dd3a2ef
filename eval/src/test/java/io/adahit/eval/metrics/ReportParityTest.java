package io.adahit.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.adahit.eval.teachers.SharedData;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Side by side with ParlAI: ParlAI's own fixture examples (convai2 and BST valid, with their 20
 * label_candidates), ranked by a fixed rule (example i ranks its candidates rotated by 13 i), give
 * the report that ParlAI's metric code gives for the same ranking (parlai_fixture_report.json,
 * written once outside this repository by ParlAI's metrics.py and torch_ranker_agent.py functions:
 * normalize_answer, F1Metric, ExactMatchMetric, the ranking metrics, macro-averaged
 * aggregate_named_reports): the same keys (accuracy, f1, hits@1/5/10/100 with hits@100 at K = 20,
 * mrr, rank, exs), per task and macro-averaged, the same values.
 */
class ReportParityTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static Report rank(String fixture) throws Exception {
    JsonNode root =
        new ObjectMapper(new YAMLFactory()).readTree(SharedData.dir().resolve(fixture).toFile());
    Report report = new Report(false);
    int i = 0;
    for (JsonNode parley : root.get("acts")) {
      JsonNode act = parley.get(0);
      List<String> cands = new ArrayList<>();
      act.path("label_candidates").forEach(n -> cands.add(n.asText()));
      List<String> labels = new ArrayList<>();
      act.path("eval_labels").forEach(n -> labels.add(n.asText()));
      if (cands.isEmpty() || labels.isEmpty() || !cands.contains(labels.get(0))) {
        continue; // as ParlAI's reference run: only examples whose gold is among their candidates
      }
      int k = cands.size();
      List<String> ranked = new ArrayList<>();
      for (int j = 0; j < k; j++) {
        ranked.add(cands.get((j + 13 * i) % k));
      }
      report.addRanking("ex " + i, ranked, labels);
      i++;
    }
    return report;
  }

  @Test
  void aReportOnParlaisFixturesEqualsParlaisOwn() throws Exception {
    JsonNode expected;
    try (InputStream in = getClass().getResourceAsStream("/parlai/parlai_fixture_report.json")) {
      expected = JSON.readTree(in);
    }
    Map<String, Report> tasks = new LinkedHashMap<>();
    expected
        .get("fixtures")
        .properties()
        .forEach(
            e -> {
              try {
                tasks.put(e.getKey(), rank(e.getValue().asText()));
              } catch (Exception ex) {
                throw new IllegalStateException(ex);
              }
            });
    Map<String, Number> ours = new MultiTaskReport(tasks).toMap();
    Map<String, Double> theirs = new LinkedHashMap<>();
    expected
        .get("report")
        .properties()
        .forEach(e -> theirs.put(e.getKey(), e.getValue().asDouble()));
    assertThat(ours.keySet()).containsExactlyInAnyOrderElementsOf(theirs.keySet());
    theirs.forEach(
        (key, v) -> assertThat(ours.get(key).doubleValue()).as(key).isCloseTo(v, within(1e-12)));
    assertThat(ours.get("hits@100").doubleValue())
        .isEqualTo(1.0); // K = 20 < 100, as ParlAI reports it
    assertThat(ours.get("f1").doubleValue()).isGreaterThan(0.1);
  }

  @Test
  void f1IsParlaisUnigramF1OfTheChosenReply() {
    // "the cat sat" vs "a cat sat down": articles dropped, 2 common of 2 and 3 tokens
    assertThat(UnigramF1.of("The cat sat!", List.of("a cat sat down"))).isEqualTo(0.8);
    assertThat(UnigramF1.of("cat cat", List.of("cat")))
        .isCloseTo(2.0 / 3, within(1e-15)); // multiset
    assertThat(UnigramF1.of("hello", List.of("bye", "hello there")))
        .isCloseTo(2.0 / 3, within(1e-15)); // best label
    assertThat(UnigramF1.of("hello", List.of("bye"))).isZero();
    Report r = new Report(false);
    r.addRanking("a", List.of("hi there", "gold reply"), List.of("gold reply"));
    r.addRanking("b", List.of("gold reply", "hi there"), List.of("gold reply"));
    assertThat(r.toMap())
        .containsEntry("f1", 0.5)
        .containsEntry("accuracy", 0.5)
        .containsEntry("hits@100", 1.0)
        .containsEntry("hits@5", 1.0);
    assertThat(List.copyOf(r.toMap().keySet()))
        .containsExactly(
            "exs", "accuracy", "f1", "hits@1", "hits@5", "hits@10", "hits@100", "mrr", "rank");
  }
}
