package io.adahit.eval.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adahit.agents.training.TrainingPair;
import io.adahit.agents.training.TrainingTask;
import io.adahit.eval.teachers.SharedData;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training files of each skill, read from ../shared/data; counts from its README. */
class TrainingCorpusTest {

  private final TrainingCorpus corpus = TrainingCorpus.builtIn();

  private static Map<String, Integer> pairsBySource(TrainingCorpus.SkillData d) {
    Map<String, Integer> out = new TreeMap<>();
    for (TrainingDialogue dlg : d.dialogues()) {
      out.merge(dlg.source(), dlg.replies().size(), Integer::sum);
    }
    return out;
  }

  @Test
  void convai2TrainsOnPersonaChatTestFsbAndMscWithPersonasFirst() throws IOException {
    TrainingCorpus.SkillData d = corpus.load("convai2", SharedData.dir());
    Map<String, Integer> n = pairsBySource(d);
    assertThat(n)
        .containsEntry("convai2/personachat_test_original.json", 7504)
        .containsEntry("convai2/fsb_persona_1000.json", 7316)
        .containsEntry("msc/fsb_session_4_test.json", 2933)
        .containsEntry("msc/fsb_session_5_test.json", 2934);
    assertThat(d.files()).noneMatch(f -> f.toString().contains("valid"));
    TrainingPair first = d.dialogues().get(0).pairs().get(0);
    assertThat(first.context())
        .isEqualTo(
            "your persona: i love to meet new people.\n"
                + "your persona: i have a turtle named timothy.\nyour persona: my favorite sport is ultimate frisbee.\n"
                + "your persona: my parents are living in bora bora.\nyour persona: autumn is my favorite season.\n"
                + "hello , how are you doing tonight ?");
    assertThat(first.reply()).isEqualTo("i am well an loving this interaction how are you ?");
    TrainingPair second = d.dialogues().get(0).pairs().get(1);
    assertThat(second.context()).startsWith(first.context() + "\n" + first.reply() + "\n");
  }

  @Test
  void theOtherSkillsCountAsTheDataReadmeSays() throws IOException {
    assertThat(pairsBySource(corpus.load("wizard_of_wikipedia", SharedData.dir())))
        .containsEntry("wow/fsb_wow_test_random_split.json", 3865)
        .containsEntry("wow/kilt_wow_dev.jsonl", 3054);
    assertThat(corpus.load("blended_skill_talk", SharedData.dir()).pairCount()).isEqualTo(27018);
    TrainingCorpus.SkillData ed = corpus.load("empathetic_dialogues", SharedData.dir());
    assertThat(ed.dialogues()).hasSize(19530);
    // the listener side of every conversation (utterances 2, 4, ... answer 1, 3, ...), as the ED
    // teacher builds valid/test; ParlAI's train teacher adds the speaker side (64,636 in all)
    assertThat(ed.pairCount()).isEqualTo(40252);
  }

  @Test
  void theHeldOutSliceIsWholeDialoguesDisjointFromTraining() throws IOException {
    TrainingCorpus.SkillData d = corpus.load("wizard_of_wikipedia", SharedData.dir());
    TrainingTask a = d.task(300, 2000, 7);
    TrainingTask b = d.task(300, 2000, 7);
    assertThat(a.train()).isEqualTo(b.train());
    assertThat(a.valid().size()).isBetween(300, 330);
    assertThat(a.train()).hasSize(2000);
    Set<String> trainContexts = new HashSet<>();
    a.train().forEach(p -> trainContexts.add(p.context()));
    assertThat(a.valid()).noneMatch(p -> trainContexts.contains(p.context()));
    assertThat(d.task(300, 2000, 8).train()).isNotEqualTo(a.train());
  }

  @Test
  void unknownSkillsAndMissingFilesAreNamed(@TempDir Path empty) {
    assertThatThrownBy(() -> corpus.load("persona_chat", SharedData.dir()))
        .hasMessageContaining("no training data for skill 'persona_chat'")
        .hasMessageContaining("convai2");
    assertThatThrownBy(() -> corpus.load("blended_skill_talk", empty))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(empty.resolve("bst/train_turns.csv").toString());
  }
}
