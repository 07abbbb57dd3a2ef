package io.adahit.eval.teachers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TeacherRegistryTest {

  @Test
  void createsTeachersByParlaiTaskName() throws IOException {
    Teacher t =
        TeacherRegistry.builtIn()
            .create("blended_skill_talk", TeacherOptions.of(SharedData.dir(), Datatype.TEST));
    assertThat(t).isInstanceOf(BlendedSkillTalkTeacher.class);
    assertThat(t.task()).isEqualTo("blended_skill_talk");
    assertThat(t.datatype()).isEqualTo(Datatype.TEST);
  }

  @Test
  void unknownTaskNamesItAndListsTheKnownOnes() {
    assertThatThrownBy(
            () ->
                TeacherRegistry.builtIn()
                    .create("convai3", TeacherOptions.of(SharedData.dir(), Datatype.VALID)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown task 'convai3'; known tasks: blended_skill_talk, convai2,"
                + " empathetic_dialogues, fromfile, fromfile:fbformat, fromfile:parlaiformat,"
                + " wizard_of_wikipedia");
  }

  @Test
  void registriesAreIndependentAndExtensible() throws IOException {
    TeacherRegistry mine = new TeacherRegistry().register("convai2", ConvAI2Teacher::load);
    assertThat(mine.tasks()).containsExactly("convai2");
    assertThat(TeacherRegistry.builtIn().tasks()).hasSize(7);
    assertThatThrownBy(() -> mine.register("a,b", ConvAI2Teacher::load))
        .hasMessageContaining("no ','");
  }

  @Test
  void missingDataFileNamesTaskAndPath(@TempDir Path empty) {
    assertThatThrownBy(
            () ->
                TeacherRegistry.builtIn()
                    .create("convai2", TeacherOptions.of(empty, Datatype.VALID)))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("valid_self_original_no_cands.txt")
        .hasMessageContaining("task 'convai2'");
  }

  @Test
  void datatypeParsesParlaiSpellingsAndRejectsTrain() {
    assertThat(Datatype.parse("valid")).isEqualTo(Datatype.VALID);
    assertThat(Datatype.parse("test:stream")).isEqualTo(Datatype.TEST);
    assertThatThrownBy(() -> Datatype.parse("train"))
        .hasMessage(
            "datatype must be valid or test (optionally with a ParlAI suffix such as ':stream'),"
                + " found 'train'");
  }

  @Test
  void optionsAndExamplesValidateWithMessagesNamingTheField() {
    assertThatThrownBy(() -> TeacherOptions.of(Path.of("."), Datatype.VALID).withNumCandidates(0))
        .hasMessage("numCandidates must be >= 1, found 0");
    assertThatThrownBy(() -> new Example("t", "hi", List.of(), List.of(), true, Map.of()))
        .hasMessage("example 't': evalLabels must hold at least one label, found []");
    Example ok = new Example("t", "hi", List.of("yo"), List.of(), true, Map.of());
    assertThatThrownBy(() -> new Episode(0, List.of(ok, ok)))
        .hasMessageContaining("episodeDone must be set on the last example only");
  }
}
