package io.adahit.eval.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adahit.eval.teachers.Datatype;
import io.adahit.eval.teachers.Teacher;
import io.adahit.eval.teachers.TeacherOptions;
import io.adahit.eval.teachers.TeacherRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** -ne, shards and candidate checks happen before any model is loaded. */
class EvalPlanTest {

  @TempDir Path tmp;

  private Teacher fromFile(String content) throws Exception {
    Path f = tmp.resolve("chat.txt");
    Files.writeString(f, content);
    return TeacherRegistry.builtIn()
        .create("fromfile", TeacherOptions.of(tmp, Datatype.VALID).withDataFile(f));
  }

  @Test
  void numExamplesAboveTheSplitIsClampedWithAWarningAsParlaiDoes() throws Exception {
    Teacher t =
        fromFile(
            "text:hi\tlabels:hello\tlabel_candidates:hello|bye\n"
                + "text:how are you?\tlabels:fine\tlabel_candidates:fine|bad\tepisode_done:True\n");
    List<String> warnings = new ArrayList<>();
    List<EvalPlan.Task> plan =
        EvalPlan.prepare(
            List.of(t), 50, Shard.ALL, CandidateMode.INLINE, List.of(), 8, warnings::add);
    assertThat(plan.get(0).examples()).hasSize(2);
    assertThat(plan.get(0).textsToEncode()).isEqualTo(2 + 4);
    assertThat(warnings)
        .containsExactly(
            "warning: -ne 50 is more than the 2 examples of fromfile valid;"
                + " evaluating all 2 (ParlAI clamps the same way)");
    assertThatThrownBy(
            () ->
                EvalPlan.prepare(
                    List.of(t), 0, Shard.ALL, CandidateMode.INLINE, List.of(), 8, w -> {}))
        .hasMessage("-ne must be -1 (all) or >= 1, found 0");
  }

  @Test
  void anEmptyCandidateListIsRefusedNamingTheExample() throws Exception {
    Teacher t = fromFile("text:hi\tlabels:hello\tepisode_done:True\n");
    assertThatThrownBy(
            () ->
                EvalPlan.prepare(
                    List.of(t), -1, Shard.ALL, CandidateMode.INLINE, List.of(), 8, w -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "eval: example 'fromfile valid episode 0 example 0' has an empty candidate list;"
                + " use -ecands batch or fixed for this task");
    // the same file is fine with the batch's labels as candidates
    assertThat(
            EvalPlan.prepare(List.of(t), -1, Shard.ALL, CandidateMode.BATCH, List.of(), 8, w -> {}))
        .hasSize(1);
  }

  @Test
  void aShardWithoutEpisodesWarns() throws Exception {
    Teacher t = fromFile("text:hi\tlabels:hello\tlabel_candidates:hello|bye\tepisode_done:True\n");
    List<String> warnings = new ArrayList<>();
    List<EvalPlan.Task> plan =
        EvalPlan.prepare(
            List.of(t), -1, new Shard(2, 1), CandidateMode.INLINE, List.of(), 8, warnings::add);
    assertThat(plan.get(0).examples()).isEmpty();
    assertThat(warnings)
        .containsExactly(
            "warning: shard 1 of 2 holds no episode of fromfile; its report counts 0 examples");
  }
}
