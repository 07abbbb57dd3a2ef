package io.adahit.eval.teachers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BlendedSkillTalkTeacherTest {

  private static final List<String> SUGGESTION_FIELDS =
      List.of("convai2", "empathetic_dialogues", "wizard_of_wikipedia");

  @ParameterizedTest
  @CsvSource({"VALID, valid, 1009, 5651", "TEST, test, 980, 5482"})
  void matchesParlaiFixtureButForTheTopicLine(Datatype dt, String name, int episodes, int examples)
      throws IOException {
    ParlaiFixture f = ParlaiFixture.load("bst/parlai_fixture_blended_skill_talk_" + name + ".yml");
    Teacher t = BlendedSkillTalkTeacher.load(TeacherOptions.of(SharedData.dir(), dt));

    assertThat(t.numEpisodes()).isEqualTo(f.numEpisodes()).isEqualTo(episodes);
    assertThat(t.numExamples()).isEqualTo(f.numExamples()).isEqualTo(examples);
    List<Example> ours = t.examples().limit(f.acts().size()).toList();
    for (int i = 0; i < f.acts().size(); i++) {
      JsonNode act = f.acts().get(i);
      boolean first = i == 0 || ParlaiFixture.episodeDone(f.acts().get(i - 1));
      String expected = ParlaiFixture.text(act);
      if (first && "wizard_of_wikipedia".equals(act.get("context_dataset").asText())) {
        // known difference: no WoW topic line (the 3rd line, after the 2 persona lines)
        List<String> lines = new ArrayList<>(List.of(expected.split("\n", -1)));
        lines.remove(2);
        expected = String.join("\n", lines);
      }
      assertThat(ours.get(i).text()).as("text %d", i).isEqualTo(expected);
      assertThat(ours.get(i).evalLabels()).isEqualTo(ParlaiFixture.labels(act));
      assertThat(ours.get(i).episodeDone()).isEqualTo(ParlaiFixture.episodeDone(act));
      assertThat(ours.get(i).fields().get("free_message"))
          .isEqualTo(act.get("free_message").asText());
      assertThat(ours.get(i).labelCandidates())
          .hasSize(100)
          .containsOnlyOnce(ours.get(i).evalLabels().get(0));
    }
    assertThat(t.knownDifferences()).anyMatch(d -> d.contains("WoW topic"));
  }

  @Test
  void firstTextHasTwoPersonaLinesTwoSeedUtterancesAndTheFreeMessage() throws IOException {
    Teacher t = BlendedSkillTalkTeacher.load(TeacherOptions.of(SharedData.dir(), Datatype.VALID));
    Example first = t.episodes().get(0).examples().get(0);
    assertThat(first.text().split("\n"))
        .hasSize(5)
        .startsWith(
            "your persona: i work as an electrician.",
            "your persona: i always sleep 8 hours a day.");
    assertThat(first.fields().get("your_persona"))
        .isEqualTo("i work as an electrician.\ni always sleep 8 hours a day.");
    assertThat(t.episodes().get(0).examples().get(1).text())
        .isEqualTo("Thats great! How long have you been doing this work? ");
  }

  @Test
  void parlaiRawLayoutReproducesTheFixtureExactly(@TempDir Path datapath) throws IOException {
    // Rebuild ParlAI's own valid.json for the first episode from the KnowEE dialogue plus what
    // the fixture shows (topic, suggestions, candidates); the teacher must then give ParlAI's
    // messages exactly, topic line and the trailing space of the last candidate included.
    ParlaiFixture f = ParlaiFixture.load("bst/parlai_fixture_blended_skill_talk_valid.yml");
    ObjectMapper mapper = new ObjectMapper();
    JsonNode knowee =
        mapper.readTree(SharedData.dir().resolve("bst/valid_dialogues.json").toFile()).get(0);
    List<String> d = new ArrayList<>();
    knowee.get("dialogue").forEach(n -> d.add(n.asText()));

    ObjectNode ep = mapper.createObjectNode();
    ArrayNode personas = ep.putArray("personas");
    personas.add(knowee.get("speaker persona")).add(knowee.get("listener persona"));
    ep.put("context_dataset", "wizard_of_wikipedia");
    ep.put("additional_context", "Electrician");
    ep.put("free_turker_utterance", d.get(0));
    ep.put("guided_turker_utterance", d.get(1));
    ArrayNode dialog = ep.putArray("dialog");
    ArrayNode suggestions = ep.putArray("suggestions");
    ArrayNode chosen = ep.putArray("chosen_suggestions");
    ArrayNode cands = ep.putArray("label_candidates");
    for (int j = 2; j < d.size(); j++) {
      dialog.addArray().add((j - 2) % 2).add(d.get(j));
      int entry = (j - 2) / 2;
      ObjectNode s = suggestions.addObject();
      if ((j - 2) % 2 == 1 && entry < f.acts().size()) {
        JsonNode act = f.acts().get(entry);
        SUGGESTION_FIELDS.forEach(k -> s.put(k, act.get(k).asText()));
        chosen.add(act.get("guided_chosen_suggestion").asText());
        ArrayNode c = cands.addArray();
        List<String> lc = ParlaiFixture.list(act, "label_candidates");
        for (int k = 0; k < lc.size(); k++) {
          // ParlAI's build appends the space; the raw json does not have it
          c.add(k == lc.size() - 1 ? lc.get(k).stripTrailing() : lc.get(k));
        }
      } else {
        SUGGESTION_FIELDS.forEach(k -> s.put(k, ""));
        chosen.add("");
        if ((j - 2) % 2 == 1) {
          cands.addArray().add(d.get(j));
        }
      }
    }
    Files.createDirectories(datapath.resolve("bst"));
    mapper.writeValue(
        datapath.resolve("bst/valid.json").toFile(), mapper.createArrayNode().add(ep));

    Teacher t = BlendedSkillTalkTeacher.load(TeacherOptions.of(datapath, Datatype.VALID));

    assertThat(t.dataFile().getFileName().toString()).isEqualTo("valid.json");
    assertThat(t.knownDifferences()).isEmpty();
    for (int i = 0; i < f.acts().size(); i++) {
      JsonNode act = f.acts().get(i);
      Example ex = t.examples().skip(i).findFirst().orElseThrow();
      assertThat(ex.text()).isEqualTo(ParlaiFixture.text(act));
      assertThat(ex.evalLabels()).isEqualTo(ParlaiFixture.labels(act));
      assertThat(ex.labelCandidates()).isEqualTo(ParlaiFixture.list(act, "label_candidates"));
      for (String k :
          List.of(
              "context_dataset",
              "free_message",
              "convai2",
              "empathetic_dialogues",
              "wizard_of_wikipedia",
              "guided_chosen_suggestion")) {
        assertThat(ex.fields().get(k)).as(k).isEqualTo(act.get(k).asText());
      }
    }
  }
}
