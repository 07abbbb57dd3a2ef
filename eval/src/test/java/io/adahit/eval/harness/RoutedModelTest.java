package io.adahit.eval.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adahit.agents.adapters.Provenance;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.ranker.RankerOptions;
import io.adahit.agents.routing.RouterTrainer;
import io.adahit.agents.routing.SkillRouter;
import io.adahit.eval.metrics.Report;
import io.adahit.eval.teachers.Datatype;
import io.adahit.eval.teachers.SharedData;
import io.adahit.eval.teachers.Teacher;
import io.adahit.eval.teachers.TeacherOptions;
import io.adahit.eval.teachers.TeacherRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --skill auto} in process with a router trained on real contexts: each example is routed,
 * then ranked with the chosen skill's adapters; the numbers equal ranking each routed group with
 * that skill directly, and each group's candidates were cached under that skill's own encoder id.
 */
class RoutedModelTest {

  @TempDir static Path tmp;
  private static Backbone backbone;
  private static Path skills;

  @BeforeAll
  static void setUp() throws Exception {
    backbone = Backbone.loadDefault();
    skills = RouterSkills.write(backbone, tmp.resolve("skills"));
  }

  @AfterAll
  static void tearDown() {
    backbone.close();
  }

  private static Teacher teacher(String task) throws Exception {
    return TeacherRegistry.builtIn()
        .create(task, TeacherOptions.of(SharedData.dir(), Datatype.VALID));
  }

  @Test
  void routedEvaluationEqualsEachGroupRankedWithItsOwnSkill() throws Exception {
    Path cache = tmp.resolve("cache");
    RankerOptions options = RankerOptions.defaults();
    try (RoutedModel auto = RoutedModel.load(backbone, skills, "auto")) {
      assertThat(auto.skills()).containsExactly("convai2", "empathetic_dialogues");
      Scorer scorer = auto.scorer(options, cache);
      for (String task : RouterSkills.SKILLS) {
        List<EvalExample> examples =
            ContextBuilder.build(teacher(task), task.equals("convai2") ? 24 : 8);
        Evaluator.Result routed =
            new Evaluator(scorer, 8, false)
                .run(examples, CandidateMode.INLINE, List.of(), n -> {}, null);
        assertThat(routed.routing().total()).isEqualTo(examples.size());
        assertThat(routed.routing().accuracy(task)).isPresent();

        SkillRouter router = SkillRouter.load(skills.resolve("auto"), backbone);
        List<String> chosen =
            router.route(examples.stream().map(EvalExample::context).toList()).stream()
                .map(SkillRouter.Routing::skill)
                .toList();
        Report direct = new Report();
        for (String skill : RouterSkills.SKILLS) {
          List<EvalExample> group = new java.util.ArrayList<>();
          for (int i = 0; i < examples.size(); i++) {
            if (chosen.get(i).equals(skill)) {
              group.add(examples.get(i));
            }
          }
          assertThat(routed.routing().routed()).containsEntry(skill, (long) group.size());
          if (group.isEmpty()) {
            continue;
          }
          try (RankingModel m =
              skill.equals("convai2")
                  ? RankingModel.skill(backbone, skills, skill)
                  : RankingModel.zeroShot(backbone)) {
            Scorer own = m.scorer(options, cache);
            direct.addAll(
                new Evaluator(own, 8, false)
                    .evaluate(group, CandidateMode.INLINE, List.of(), n -> {}, null));
            assertThat(own.encodedTexts())
                .as("the routed run cached " + skill + "'s texts under its own encoder id")
                .isZero();
          }
        }
        assertThat(routed.report().toMap()).as(task).isEqualTo(direct.toMap());
      }
    }
  }

  @Test
  void theContaminationGuardSeesEveryRoutedSkillAndTheRouter() throws Exception {
    try (RoutedModel auto = RoutedModel.load(backbone, skills, "auto")) {
      assertThat(auto.trainingFiles())
          .extracting(Contamination.TrainingSource::skill)
          .contains("convai2");
      Teacher c2 = teacher("convai2");
      assertThat(Contamination.find("convai2", c2.dataFile(), auto.trainingFiles()))
          .hasValueSatisfying(c -> assertThat(c.skill()).isEqualTo("convai2"));
      assertThat(
              Contamination.find(
                  "empathetic_dialogues",
                  teacher("empathetic_dialogues").dataFile(),
                  auto.trainingFiles()))
          .isEmpty();
      assertThat(auto.checksContamination()).isTrue();
      assertThat(auto.describe())
          .containsEntry("skill", "auto")
          .containsEntry("adapter_kind", "router")
          .containsEntry("router_skills", List.of("convai2", "empathetic_dialogues"))
          .containsKey("routed_models");
      assertThat(auto.agentId()).isEqualTo("router:auto");
    }
  }

  @Test
  void aRouterOverASkillTheFolderLacksIsRefusedByName() throws Exception {
    Path other = tmp.resolve("other");
    new RouterTrainer(backbone, RouterTrainer.Options.defaults())
        .train(
            "auto",
            Map.of(
                "convai2",
                List.of("your persona: i like dogs.\nhi there", "your persona: i ski.\nhello"),
                "wizard_of_wikipedia",
                List.of("tell me about the nile.", "what is the capital of peru?")),
            null)
        .save(other.resolve("auto"), Provenance.pending());
    assertThatThrownBy(() -> RoutedModel.load(backbone, other, "auto"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("router 'auto'")
        .hasMessageContaining("not found in skills folder")
        .hasMessageContaining("convai2") // Map.of: the router's skill order is not fixed
        .hasMessageContaining("wizard_of_wikipedia");
  }
}
