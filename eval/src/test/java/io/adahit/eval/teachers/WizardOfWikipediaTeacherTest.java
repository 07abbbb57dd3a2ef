package io.adahit.eval.teachers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WizardOfWikipediaTeacherTest {

  private static Teacher valid;
  private static Teacher test;

  @BeforeAll
  static void load() throws IOException {
    valid = WizardOfWikipediaTeacher.load(TeacherOptions.of(SharedData.dir(), Datatype.VALID));
    test = WizardOfWikipediaTeacher.load(TeacherOptions.of(SharedData.dir(), Datatype.TEST));
  }

  @Test
  void countsEqualParlai() throws IOException {
    ParlaiFixture v = ParlaiFixture.load("wow/parlai_fixture_wizard_dialog_knowledge_valid.yml");
    ParlaiFixture t = ParlaiFixture.load("wow/parlai_fixture_wizard_dialog_knowledge_test.yml");
    assertThat(valid.numEpisodes()).isEqualTo(v.numEpisodes()).isEqualTo(981);
    assertThat(valid.numExamples()).isEqualTo(v.numExamples()).isEqualTo(3939);
    assertThat(test.numEpisodes()).isEqualTo(t.numEpisodes()).isEqualTo(965);
    assertThat(test.numExamples()).isEqualTo(t.numExamples()).isEqualTo(3865);
  }

  @Test
  void validExamplesEqualParlaiFixtureButForTheTopicLine() throws IOException {
    ParlaiFixture f = ParlaiFixture.load("wow/parlai_fixture_wizard_dialog_knowledge_valid.yml");
    List<Example> ours = valid.examples().limit(f.acts().size()).toList();
    for (int i = 0; i < f.acts().size(); i++) {
      JsonNode act = f.acts().get(i);
      boolean first = i == 0 || ParlaiFixture.episodeDone(f.acts().get(i - 1));
      String expected = ParlaiFixture.text(act);
      if (first) {
        // known difference: the FSB layout has no chosen_topic line
        String topicLine = act.get("chosen_topic").asText() + "\n";
        assertThat(expected).startsWith(topicLine);
        expected = expected.substring(topicLine.length());
      }
      assertThat(ours.get(i).text()).as("text %d", i).isEqualTo(expected);
      assertThat(ours.get(i).evalLabels()).isEqualTo(ParlaiFixture.labels(act));
      assertThat(ours.get(i).episodeDone()).isEqualTo(ParlaiFixture.episodeDone(act));
      assertThat(ours.get(i).fields().get("checked_sentence"))
          .isEqualTo(act.get("checked_sentence").asText());
    }
    assertThat(valid.knownDifferences())
        .anyMatch(d -> d.contains("no chosen_topic"))
        .anyMatch(d -> d.contains("wizard-first"))
        .anyMatch(d -> d.contains("candidate_responses"));
  }

  @Test
  void fsbShiftsWizardFirstEpisodesAsDocumented() throws IOException {
    // ParlAI's test fixture opens with a wizard-first episode: example 0 is the topic alone. FSB
    // lacks the wizard's opening turn, so our episode 0 starts at ParlAI's example 1 and ends
    // with the pair ParlAI drops; the next (apprentice-first) episode lines up again.
    ParlaiFixture f = ParlaiFixture.load("wow/parlai_fixture_wizard_dialog_knowledge_test.yml");
    List<JsonNode> acts = f.acts();
    assertThat(ParlaiFixture.text(acts.get(0))).isEqualTo("Blue");
    Episode ep0 = test.episodes().get(0);
    assertThat(ep0.size()).isEqualTo(3);
    for (int i = 0; i < 2; i++) {
      assertThat(ep0.examples().get(i).text()).isEqualTo(ParlaiFixture.text(acts.get(i + 1)));
      assertThat(ep0.examples().get(i).evalLabels())
          .isEqualTo(ParlaiFixture.labels(acts.get(i + 1)));
    }
    Example ep1First = test.episodes().get(1).examples().get(0);
    assertThat("Cinematography\n" + ep1First.text()).isEqualTo(ParlaiFixture.text(acts.get(3)));
    assertThat(test.episodes().get(1).examples().get(1).text())
        .isEqualTo(ParlaiFixture.text(acts.get(4)));
  }

  @Test
  void candidatesAreGoldPlus99SampledDeterministically() throws IOException {
    assertThat(valid.candidateSource()).contains("gold + 99 sampled", "seed 0");
    valid
        .examples()
        .limit(300)
        .forEach(
            ex -> {
              assertThat(ex.labelCandidates()).hasSize(100).doesNotHaveDuplicates();
              assertThat(ex.labelCandidates()).containsOnlyOnce(ex.evalLabels().get(0));
            });
    Teacher again =
        WizardOfWikipediaTeacher.load(TeacherOptions.of(SharedData.dir(), Datatype.VALID));
    assertThat(again.examples().limit(100).map(Example::labelCandidates).toList())
        .isEqualTo(valid.examples().limit(100).map(Example::labelCandidates).toList());
  }

  @Test
  void rawLayoutFollowsParlaiWizardDialogKnowledgeTeacher() throws IOException {
    Path sample = SharedData.dir().resolve("wow/sample_raw_dialogues_5.json");
    Teacher raw =
        WizardOfWikipediaTeacher.load(
            TeacherOptions.of(SharedData.dir(), Datatype.VALID)
                .withDataFile(sample)
                .withNumCandidates(5));
    JsonNode data = new ObjectMapper().readTree(sample.toFile());

    // dialogue 0 is wizard-first with 10 turns: (10 - 1) / 2 = 4 examples; the others are
    // apprentice-first with 8, 10, 10, 10 turns: 4 + 5 + 5 + 5.
    assertThat(raw.episodes()).extracting(Episode::size).containsExactly(4, 4, 5, 5, 5);
    assertThat(raw.numExamples()).isEqualTo(23);

    Example wizardFirst = raw.episodes().get(0).examples().get(0);
    assertThat(wizardFirst.text()).isEqualTo("Science fiction");
    assertThat(wizardFirst.evalLabels())
        .containsExactly(data.get(0).get("dialog").get(0).get("text").asText());
    assertThat(wizardFirst.fields().get("knowledge"))
        .startsWith(
            "Science fiction " + data.get(0).get("chosen_topic_passage").get(0).asText() + "\n");
    Example second = raw.episodes().get(0).examples().get(1);
    assertThat(second.text()).isEqualTo(data.get(0).get("dialog").get(1).get("text").asText());

    Example apprenticeFirst = raw.episodes().get(1).examples().get(0);
    JsonNode dialog1 = data.get(1).get("dialog");
    assertThat(apprenticeFirst.text())
        .isEqualTo("Internet access\n" + dialog1.get(0).get("text").asText());
    assertThat(apprenticeFirst.evalLabels()).containsExactly(dialog1.get(1).get("text").asText());
    assertThat(apprenticeFirst.fields())
        .containsEntry("chosen_topic", "Internet access")
        .containsEntry("title", "Internet access")
        .containsEntry("checked_sentence", "Internet access was once rare, but has grown rapidly.");
    // the title comes from checked_passage when the sentence is in that passage
    assertThat(raw.episodes().get(2).examples().get(0).fields())
        .containsEntry("title", "Pharmacy technician");
    assertThat(raw.knownDifferences()).singleElement().asString().contains("candidate_responses");
  }

  @Test
  void rawCandidateResponsesAreUsedWhenPresent(@TempDir Path dir) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    ArrayNode data =
        (ArrayNode)
            mapper.readTree(SharedData.dir().resolve("wow/sample_raw_dialogues_5.json").toFile());
    for (JsonNode d : data) {
      for (JsonNode turn : d.get("dialog")) {
        if (turn.get("speaker").asText().contains("Wizard")) {
          ((ObjectNode) turn)
              .putArray("candidate_responses")
              .add("x")
              .add(turn.get("text").asText())
              .add("y");
        }
      }
    }
    Path file = dir.resolve("valid_random_split.json");
    mapper.writeValue(file.toFile(), data);
    Teacher raw =
        WizardOfWikipediaTeacher.load(
            TeacherOptions.of(SharedData.dir(), Datatype.VALID).withDataFile(file));
    assertThat(raw.candidateSource()).startsWith("the data file's label_candidates (K = 3");
    assertThat(raw.knownDifferences()).isEmpty();
    raw.examples()
        .forEach(
            ex ->
                assertThat(ex.labelCandidates()).containsExactly("x", ex.evalLabels().get(0), "y"));
  }
}
