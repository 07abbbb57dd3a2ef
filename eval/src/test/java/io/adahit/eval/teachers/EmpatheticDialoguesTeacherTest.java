package io.adahit.eval.teachers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.adahit.eval.metrics.PythonText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EmpatheticDialoguesTeacherTest {

  @ParameterizedTest
  @CsvSource({"VALID, valid, 1, 2", "TEST, test, 1, 2"})
  void matchesParlaiFixtureUpToTheDocumentedGap(
      Datatype dt, String name, int missingEpisodes, int missingExamples) throws IOException {
    ParlaiFixture f = ParlaiFixture.load("ed/parlai_fixture_empathetic_dialogues_" + name + ".yml");
    Teacher t = EmpatheticDialoguesTeacher.load(TeacherOptions.of(SharedData.dir(), dt));

    // two conversations are missing from the rebuilt data (one per split), see ed/ in the README
    assertThat(f.numEpisodes() - t.numEpisodes()).isEqualTo(missingEpisodes);
    assertThat(f.numExamples() - t.numExamples()).isEqualTo(missingExamples);
    assertThat(t.knownDifferences()).anyMatch(d -> d.contains("two conversations are missing"));

    List<Example> ours = t.examples().limit(f.acts().size()).toList();
    for (int i = 0; i < f.acts().size(); i++) {
      JsonNode act = f.acts().get(i);
      Example ex = ours.get(i);
      // the rebuilt data is whitespace-trimmed; ParlAI keeps the CSV's spaces on text/situation
      assertThat(ex.text()).as("text %d", i).isEqualTo(PythonText.strip(ParlaiFixture.text(act)));
      assertThat(ex.evalLabels()).isEqualTo(ParlaiFixture.labels(act));
      assertThat(ex.episodeDone()).isEqualTo(ParlaiFixture.episodeDone(act));
      assertThat(ex.fields().get("emotion")).isEqualTo(act.get("emotion").asText());
      assertThat(ex.fields().get("situation"))
          .isEqualTo(PythonText.strip(act.get("situation").asText()));
      assertThat(ex.id()).isEqualTo("empathetic_dialogues");
      assertThat(ex.labelCandidates()).hasSize(100).containsOnlyOnce(ex.evalLabels().get(0));
    }
  }

  @Test
  void countsOfTheRebuiltSplits() throws IOException {
    Teacher valid =
        EmpatheticDialoguesTeacher.load(TeacherOptions.of(SharedData.dir(), Datatype.VALID));
    Teacher test =
        EmpatheticDialoguesTeacher.load(TeacherOptions.of(SharedData.dir(), Datatype.TEST));
    assertThat(valid.numEpisodes()).isEqualTo(2768);
    assertThat(valid.numExamples()).isEqualTo(5736);
    assertThat(test.numEpisodes()).isEqualTo(2546);
    assertThat(test.numExamples()).isEqualTo(5257);
  }

  @Test
  void originalCsvLayoutIsParsedAsParlaiDoes(@TempDir Path datapath) throws IOException {
    Files.createDirectories(datapath.resolve("ed"));
    Files.write(
        datapath.resolve("ed/valid.csv"),
        List.of(
            "conv_id,utterance_idx,context,prompt,speaker_idx,utterance,selfeval,tags",
            "hit:1_conv:2,1,proud,I won_comma_ finally ,10,I won the race_comma_ guess what?,,,",
            "hit:1_conv:2,2,proud,I won_comma_ finally ,11,Wow_comma_ well done! ,,,a_comma_ b| Wow_comma_ well done!|c_pipe_d",
            "hit:1_conv:2,3,proud,I won_comma_ finally ,10,Thanks,,,",
            "hit:3_conv:4,1,sad,lost my keys,12,  I lost my keys ,,,",
            "hit:3_conv:4,2,sad,lost my keys,13,Oh no,,,x|Oh no|y",
            "hit:3_conv:4,3,sad,lost my keys,12,yes,,,",
            "hit:3_conv:4,4,sad,lost my keys,13,Did you find them?,,,p|q|Did you find them?"),
        StandardCharsets.UTF_8);

    Teacher t = EmpatheticDialoguesTeacher.load(TeacherOptions.of(datapath, Datatype.VALID));

    assertThat(t.dataFile().getFileName().toString()).isEqualTo("valid.csv");
    assertThat(t.knownDifferences()).isEmpty();
    assertThat(t.episodes()).extracting(Episode::size).containsExactly(1, 2);
    Example first = t.episodes().get(0).examples().get(0);
    assertThat(first.text()).isEqualTo("I won the race, guess what?");
    assertThat(first.evalLabels()).containsExactly("Wow, well done!");
    assertThat(first.labelCandidates()).containsExactly("a, b", "Wow, well done!", "c|d");
    assertThat(first.fields())
        .containsEntry("emotion", "proud")
        .containsEntry("situation", "I won, finally ");
    Example kept = t.episodes().get(1).examples().get(0);
    // ParlAI strips whole lines and labels, not the text field: its spaces stay
    assertThat(kept.text()).isEqualTo("  I lost my keys ");
    assertThat(t.episodes().get(1).examples().get(1).text()).isEqualTo("yes");
  }

  @Test
  void csvWithABrokenTurnOrderIsRejectedWithTheLine(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("valid.csv");
    Files.write(
        file,
        List.of(
            "conv_id,utterance_idx,context,prompt,speaker_idx,utterance,selfeval,tags",
            "hit:1_conv:2,1,proud,p,10,a,,",
            "hit:1_conv:2,3,proud,p,11,b,,"),
        StandardCharsets.UTF_8);
    assertThatThrownBy(
            () ->
                EmpatheticDialoguesTeacher.load(
                    TeacherOptions.of(dir, Datatype.VALID).withDataFile(file)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("valid.csv:3")
        .hasMessageContaining("utterance_idx must follow 1 as 2, found 3");
  }
}
