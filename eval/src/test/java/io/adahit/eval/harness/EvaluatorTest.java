package io.adahit.eval.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.agents.ranker.Ranker;
import io.adahit.agents.ranker.RankerOptions;
import io.adahit.agents.ranker.TextEncoder;
import io.adahit.eval.metrics.Report;
import io.adahit.eval.report.TestReports;
import io.adahit.eval.teachers.Datatype;
import io.adahit.eval.teachers.Episode;
import io.adahit.eval.teachers.Example;
import io.adahit.eval.teachers.Teacher;
import io.adahit.eval.teachers.TeacherOptions;
import io.adahit.eval.teachers.TeacherRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The harness on 50 real examples per task, with a deterministic bag-of-words encoder so the
 * expected metrics can be computed independently here, without the harness's code.
 */
class EvaluatorTest {

  @TempDir Path tmp;

  /** Hashed bag of words, 64 dimensions: cheap, deterministic, and sensitive to the context. */
  static final TextEncoder BAG_OF_WORDS =
      (texts, opts) -> texts.stream().map(EvaluatorTest::bag).toArray(float[][]::new);

  static float[] bag(String text) {
    float[] v = new float[64];
    for (String w : text.toLowerCase().split("[^a-z0-9']+")) {
      if (!w.isEmpty()) {
        v[Math.floorMod(w.hashCode(), 64)] += 1;
      }
    }
    return v;
  }

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  private static Teacher teacher(String task) throws Exception {
    Path data = io.adahit.eval.teachers.SharedData.dir();
    return TeacherRegistry.builtIn().create(task, TeacherOptions.of(data, Datatype.VALID));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"convai2", "wizard_of_wikipedia", "empathetic_dialogues", "blended_skill_talk"})
  void inlineMetricsOnFiftyRealExamplesEqualAnIndependentComputation(String task) throws Exception {
    Teacher t = teacher(task);
    Evaluator ev = new Evaluator(new Ranker(BAG_OF_WORDS, RankerOptions.defaults()), 7, false);
    Report r =
        ev.evaluate(ContextBuilder.build(t, 50), CandidateMode.INLINE, List.of(), n -> {}, null);

    // independent: history by hand, rank = 1 + better scores + equal scores given earlier
    double hits1 = 0;
    double hits5 = 0;
    double mrr = 0;
    int n = 0;
    outer:
    for (Episode ep : t.episodes()) {
      StringBuilder history = new StringBuilder();
      for (Example ex : ep.examples()) {
        if (n == 50) {
          break outer;
        }
        history.append(history.length() == 0 ? "" : "\n").append(ex.text());
        float[] ctx = bag(history.toString());
        List<String> cands = ex.labelCandidates();
        int gold = cands.indexOf(ex.evalLabels().get(0));
        double g = dot(ctx, bag(cands.get(gold)));
        int rank = 1;
        for (int j = 0; j < cands.size(); j++) {
          double s = dot(ctx, bag(cands.get(j)));
          if (s > g || (s == g && j < gold)) {
            rank++;
          }
        }
        hits1 += rank <= 1 ? 1 : 0;
        hits5 += rank <= 5 ? 1 : 0;
        mrr += 1.0 / rank;
        n++;
        history.append('\n').append(ex.evalLabels().get(0));
      }
    }
    assertThat(r.exs()).isEqualTo(50);
    assertThat(r.average("hits@1").getAsDouble())
        .isEqualTo(hits1 / 50, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(r.average("hits@5").getAsDouble())
        .isEqualTo(hits5 / 50, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(r.average("mrr").getAsDouble())
        .isEqualTo(mrr / 50, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(r.average("hits@1").getAsDouble())
        .as("the bag of words beats chance on " + task)
        .isGreaterThan(1.0 / t.episodes().get(0).examples().get(0).labelCandidates().size());
  }

  @Test
  void batchCandidatesAreTheBatchLabels() throws Exception {
    Teacher t = teacher("convai2");
    List<String> seen = new ArrayList<>();
    TextEncoder spy =
        (texts, opts) -> {
          seen.addAll(texts);
          return BAG_OF_WORDS.encode(texts, opts);
        };
    Evaluator ev = new Evaluator(new Ranker(spy, RankerOptions.defaults()), 5, false);
    List<EvalExample> ex = ContextBuilder.build(t, 10);
    Report r = ev.evaluate(ex, CandidateMode.BATCH, List.of(), n -> {}, null);
    assertThat(r.exs()).isEqualTo(10);
    assertThat(r.rankCounts())
        .as("K = 5: each example ranks the batch's 5 labels")
        .allSatisfy(rc -> assertThat(rc.numCandidates()).isEqualTo(5));
    assertThat(r.average("hits@10")).as("as ParlAI: K = 5 < 10 counts as a hit").hasValue(1.0);
    List<String> labels = ex.stream().map(e -> e.example().evalLabels().get(0)).distinct().toList();
    assertThat(seen).containsAll(labels);
  }

  @Test
  void fixedCandidatesRankTheGoldAmongTheWholeList() throws Exception {
    Teacher t = teacher("convai2");
    List<EvalExample> ex = ContextBuilder.build(t, 4);
    List<String> fixed = new ArrayList<>(List.of("i like turtles.", "no idea what you mean."));
    ex.forEach(e -> fixed.add(e.example().evalLabels().get(0)));
    Evaluator ev = new Evaluator(new Ranker(BAG_OF_WORDS, RankerOptions.defaults()), 2, false);
    Report r = ev.evaluate(ex, CandidateMode.FIXED, fixed, n -> {}, null);
    assertThat(r.exs()).isEqualTo(4);
    assertThat(r.average("rank").getAsDouble()).isBetween(1.0, 6.0);

    Report skipped =
        new Evaluator(new Ranker(BAG_OF_WORDS, RankerOptions.defaults()), 2, true)
            .evaluate(ex, CandidateMode.FIXED, List.of("i like turtles."), n -> {}, null);
    assertThat(skipped.exs()).isZero();
    assertThat(skipped.badCandidates()).isEqualTo(4);
  }

  @Test
  void emptyCandidateListIsNamed() {
    Example bare = new Example("fromfile", "hi", List.of("hello"), List.of(), true, Map.of());
    EvalExample e = new EvalExample("fromfile valid episode 0 example 0", 0, bare, "hi");
    Evaluator ev = new Evaluator(new Ranker(BAG_OF_WORDS, RankerOptions.defaults()), 2, false);
    assertThatThrownBy(
            () -> ev.evaluate(List.of(e), CandidateMode.INLINE, List.of(), n -> {}, null))
        .hasMessageContaining("fromfile valid episode 0 example 0")
        .hasMessageContaining("empty candidate list");
  }

  @Test
  void worldLogsHoldOneConversationPerEpisodeAndTheMetadataSidecar() throws Exception {
    Teacher t = teacher("convai2");
    List<EvalExample> ex = ContextBuilder.build(t, 20);
    long episodes = ex.stream().map(EvalExample::episode).distinct().count();
    Path log = tmp.resolve("logs/convai2.jsonl");
    ObjectMapper json = new ObjectMapper();
    try (WorldLogWriter w =
        new WorldLogWriter(
            json, log, "agent", List.of("convai2", "agent"), TestReports.options("convai2"))) {
      new Evaluator(new Ranker(BAG_OF_WORDS, RankerOptions.defaults()), 8, false)
          .evaluate(ex, CandidateMode.INLINE, List.of(), n -> {}, w);
    }
    List<String> lines = Files.readAllLines(log);
    assertThat(lines).hasSize((int) episodes);
    JsonNode first = json.readTree(lines.get(0));
    JsonNode turn = first.get("dialog").get(0);
    assertThat(turn.get(0).get("text").asText()).isEqualTo(ex.get(0).example().text());
    assertThat(turn.get(1).get("text_candidates")).hasSize(10);
    JsonNode meta = json.readTree(tmp.resolve("logs/convai2.jsonl.metadata").toFile());
    assertThat(meta.get("version").asText()).isEqualTo("0.1");
    assertThat(meta.get("opt").get("task").asText()).isEqualTo("convai2");
  }

  @Test
  void contextsFollowParlaiHistoryAndResetPerEpisode() throws Exception {
    Teacher t = teacher("convai2");
    List<EvalExample> ex = ContextBuilder.build(t, 3);
    Example first = t.episodes().get(0).examples().get(0);
    Example second = t.episodes().get(0).examples().get(1);
    assertThat(ex.get(0).context()).isEqualTo(first.text());
    assertThat(ex.get(1).context())
        .isEqualTo(first.text() + "\n" + first.evalLabels().get(0) + "\n" + second.text());
  }
}
