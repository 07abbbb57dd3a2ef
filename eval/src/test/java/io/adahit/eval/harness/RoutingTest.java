package io.adahit.eval.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.agents.ranker.Ranker;
import io.adahit.agents.ranker.RankerOptions;
import io.adahit.agents.ranker.TextEncoder;
import io.adahit.eval.metrics.Report;
import io.adahit.eval.report.ReportFile;
import io.adahit.eval.report.ReportWriter;
import io.adahit.eval.report.RunOptions;
import io.adahit.eval.report.RunResults;
import io.adahit.eval.report.TestReports;
import io.adahit.eval.teachers.Datatype;
import io.adahit.eval.teachers.SharedData;
import io.adahit.eval.teachers.TeacherOptions;
import io.adahit.eval.teachers.TeacherRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routed scoring ({@code --skill auto}) with a hand-made router and two bag-of-words "skills" on
 * real ConvAI2 and ED examples: the numbers equal scoring each routed group with its own skill, and
 * routing counts and accuracy are the ones computed here by hand, in the report and after merging
 * shards.
 */
class RoutingTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> SKILLS =
      List.of("convai2", "empathetic_dialogues", "wizard_of_wikipedia");

  /** A second bag of words with other hash buckets: a different "skill". */
  private static final TextEncoder OTHER_BAG =
      (texts, opts) ->
          texts.stream()
              .map(
                  t -> {
                    float[] v = new float[48];
                    for (String w : t.toLowerCase().split("[^a-z0-9']+")) {
                      if (!w.isEmpty()) {
                        v[Math.floorMod(w.hashCode() * 31 + 7, 48)] += 1;
                      }
                    }
                    return v;
                  })
              .toArray(float[][]::new);

  /** The hand-made router: a question in the latest turn means ED, anything else ConvAI2. */
  private static String rule(String context) {
    String last = context.substring(context.lastIndexOf('\n') + 1);
    return last.contains("?") ? "empathetic_dialogues" : "convai2";
  }

  private static final Function<List<String>, List<String>> ROUTER =
      cs -> cs.stream().map(RoutingTest::rule).toList();

  private static List<EvalExample> convai2;
  private static List<EvalExample> ed;

  @TempDir Path tmp;

  @BeforeAll
  static void load() throws Exception {
    TeacherOptions opts = TeacherOptions.of(SharedData.dir(), Datatype.VALID);
    convai2 = ContextBuilder.build(TeacherRegistry.builtIn().create("convai2", opts), 60);
    ed = ContextBuilder.build(TeacherRegistry.builtIn().create("empathetic_dialogues", opts), 30);
  }

  private static Map<String, Scorer> scorers() {
    Map<String, Scorer> m = new LinkedHashMap<>();
    m.put(
        "convai2",
        new LocalScorer(new Ranker(EvaluatorTest.BAG_OF_WORDS, RankerOptions.defaults())));
    m.put("empathetic_dialogues", new LocalScorer(new Ranker(OTHER_BAG, RankerOptions.defaults())));
    m.put(
        "wizard_of_wikipedia",
        new LocalScorer(
            new Ranker(
                (t, o) -> {
                  throw new AssertionError("never routed to");
                },
                RankerOptions.defaults())));
    return m;
  }

  @Test
  void routingAccuracyOfAHandMadeCase() {
    RoutingCounts c = new RoutingCounts(SKILLS, Map.of("convai2", 3L, "empathetic_dialogues", 1L));
    assertThat(c.total()).isEqualTo(4);
    assertThat(c.accuracy("convai2")).hasValue(0.75);
    assertThat(c.accuracy("empathetic_dialogues")).hasValue(0.25);
    assertThat(c.accuracy("wizard_of_wikipedia")).hasValue(0.0);
    assertThat(c.accuracy("blended_skill_talk"))
        .as("not a skill of the router: no right answer")
        .isEmpty();
    assertThat(c.routed())
        .containsExactly(
            Map.entry("convai2", 3L),
            Map.entry("empathetic_dialogues", 1L),
            Map.entry("wizard_of_wikipedia", 0L));
    assertThat(RoutingCounts.none(SKILLS).accuracy("convai2")).isEmpty();
    assertThat(c.plus(c).accuracy("convai2")).hasValue(0.75);
    assertThatThrownBy(() -> c.plus(RoutingCounts.none(List.of("convai2"))))
        .hasMessageContaining("cannot add counts of routers over");
  }

  @Test
  void routedNumbersEqualEachGroupScoredWithItsOwnSkill() throws Exception {
    for (List<EvalExample> examples : List.of(convai2, ed)) {
      Evaluator.Result routed =
          new Evaluator(new RoutedScorer(SKILLS, ROUTER, scorers()), 8, false)
              .run(examples, CandidateMode.INLINE, List.of(), n -> {}, null);

      Report direct = new Report();
      Map<String, Long> counts = new LinkedHashMap<>();
      for (String skill : List.of("convai2", "empathetic_dialogues")) {
        List<EvalExample> group =
            examples.stream().filter(e -> rule(e.context()).equals(skill)).toList();
        counts.put(skill, (long) group.size());
        if (!group.isEmpty()) {
          direct.addAll(
              new Evaluator(scorers().get(skill), 8, false)
                  .evaluate(group, CandidateMode.INLINE, List.of(), n -> {}, null));
        }
      }
      assertThat(counts.values()).as("the rule splits the slice").allMatch(n -> n > 0);
      assertThat(routed.report().toMap()).isEqualTo(direct.toMap());
      assertThat(routed.routing().routed())
          .containsEntry("convai2", counts.get("convai2"))
          .containsEntry("empathetic_dialogues", counts.get("empathetic_dialogues"))
          .containsEntry("wizard_of_wikipedia", 0L);
    }
  }

  @Test
  void theReportCarriesRoutingPerTaskAndMergedShardsKeepIt() throws Exception {
    long c2Right = convai2.stream().filter(e -> rule(e.context()).equals("convai2")).count();
    long edRight =
        ed.stream().filter(e -> rule(e.context()).equals("empathetic_dialogues")).count();
    Map<String, Object> single = TestReports.flat(report(Shard.ALL, "single.json").report());
    assertThat(((Number) single.get("convai2/routing_accuracy")).doubleValue())
        .isEqualTo((double) c2Right / convai2.size(), Offset.offset(1e-12));
    assertThat(((Number) single.get("empathetic_dialogues/routing_accuracy")).doubleValue())
        .isEqualTo((double) edRight / ed.size(), Offset.offset(1e-12));
    assertThat(((Number) single.get("routing_accuracy")).doubleValue())
        .as("macro average, as ParlAI's metrics")
        .isEqualTo(
            ((double) c2Right / convai2.size() + (double) edRight / ed.size()) / 2,
            Offset.offset(1e-12));
    assertThat(longs(single.get("routed")))
        .isEqualTo(
            Map.of(
                "convai2",
                c2Right + ed.size() - edRight,
                "empathetic_dialogues",
                edRight + convai2.size() - c2Right,
                "wizard_of_wikipedia",
                0L));

    List<ReportFile> shards =
        List.of(report(new Shard(2, 0), "s0.json"), report(new Shard(2, 1), "s1.json"));
    Map<String, Object> merged = TestReports.flat(ReportMerger.merge(shards).report());
    for (String key :
        List.of(
            "routing_accuracy",
            "convai2/routing_accuracy",
            "empathetic_dialogues/routing_accuracy")) {
      assertThat(((Number) merged.get(key)).doubleValue())
          .as(key)
          .isEqualTo(((Number) single.get(key)).doubleValue(), Offset.offset(1e-12));
    }
    assertThat(longs(merged.get("convai2/routed"))).isEqualTo(longs(single.get("convai2/routed")));
    assertThat(longs(merged.get("routed"))).isEqualTo(longs(single.get("routed")));
  }

  /** A JSON-read count map with every count as a long. */
  private static Map<String, Long> longs(Object counts) {
    Map<String, Long> out = new LinkedHashMap<>();
    ((Map<?, ?>) counts).forEach((k, v) -> out.put((String) k, ((Number) v).longValue()));
    return out;
  }

  /** Evaluates both tasks routed (one shard of them) and writes the -rf file as eval_model does. */
  private ReportFile report(Shard shard, String name) throws Exception {
    Evaluator ev = new Evaluator(new RoutedScorer(SKILLS, ROUTER, scorers()), 8, false);
    List<TaskResult> results = new ArrayList<>();
    for (Map.Entry<String, List<EvalExample>> t :
        Map.of("convai2", convai2, "empathetic_dialogues", ed).entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .toList()) {
      Evaluator.Result r =
          ev.run(shard.select(t.getValue()), CandidateMode.INLINE, List.of(), n -> {}, null);
      results.add(new TaskResult(t.getKey(), r.report(), 1.0, -1, -1, r.routing(), null));
    }
    RunOptions opt =
        TestReports.options(
            "convai2,empathetic_dialogues",
            null,
            shard.isSharded() ? shard.numShards() : null,
            shard.isSharded() ? shard.shardId() : null);
    Path file = tmp.resolve(name);
    new ReportWriter(JSON).write(file, opt, RunResults.of(results, 1.0, true, List.of()));
    return ReportFile.read(JSON, file);
  }
}
