package io.adahit.eval.teachers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConvAI2TeacherTest {

  private static ParlaiFixture fixture;
  private static Teacher valid;

  @BeforeAll
  static void load() throws IOException {
    fixture = ParlaiFixture.load("convai2/parlai_fixture_convai2_valid.yml");
    valid = ConvAI2Teacher.load(TeacherOptions.of(SharedData.dir(), Datatype.VALID));
  }

  @Test
  void countsEqualParlai() {
    assertThat(valid.numEpisodes()).isEqualTo(fixture.numEpisodes()).isEqualTo(1000);
    assertThat(valid.numExamples()).isEqualTo(fixture.numExamples()).isEqualTo(7801);
    assertThat(valid.examples().count()).isEqualTo(7801);
  }

  @Test
  void firstExamplesEqualParlaiFixture() {
    List<Example> ours = valid.examples().limit(fixture.acts().size()).toList();
    for (int i = 0; i < fixture.acts().size(); i++) {
      JsonNode act = fixture.acts().get(i);
      Example ex = ours.get(i);
      assertThat(ex.text()).as("text of example %d", i).isEqualTo(ParlaiFixture.text(act));
      assertThat(ex.evalLabels()).as("labels of %d", i).isEqualTo(ParlaiFixture.labels(act));
      assertThat(ex.episodeDone()).isEqualTo(ParlaiFixture.episodeDone(act));
      assertThat(ex.id()).isEqualTo(act.get("id").asText());
    }
    assertThat(ours.get(0).text()).startsWith("your persona: i read twenty books a year.\n");
  }

  @Test
  void sampledCandidatesAreTwentyWithTheGoldOnce() {
    assertThat(valid.candidateSource()).contains("gold + 19 sampled", "seed 0");
    assertThat(valid.knownDifferences()).anyMatch(d -> d.contains("no official label_candidates"));
    valid
        .examples()
        .forEach(
            ex -> {
              assertThat(ex.labelCandidates()).hasSize(20).doesNotHaveDuplicates();
              assertThat(ex.labelCandidates().stream().filter(ex.evalLabels().get(0)::equals))
                  .hasSize(1);
            });
  }

  @Test
  void testMapsToValidAsParlaiDoes() throws IOException {
    Teacher test = ConvAI2Teacher.load(TeacherOptions.of(SharedData.dir(), Datatype.TEST));
    assertThat(test.dataFile()).isEqualTo(valid.dataFile());
    assertThat(test.numExamples()).isEqualTo(7801);
    assertThat(test.datatype()).isEqualTo(Datatype.TEST);
  }

  @Test
  void officialCandidatesFileIsUsedWhenPresent(@TempDir Path datapath) throws IOException {
    // Rebuild the with-candidates layout for the fixture's examples: the fixture keeps ParlAI's
    // official 20 candidates, so the teacher must hand back exactly those.
    List<String> noCands =
        Files.readAllLines(
            SharedData.dir().resolve("convai2/valid_self_original_no_cands.txt"),
            StandardCharsets.UTF_8);
    List<String> lines = new ArrayList<>();
    int labelled = 0;
    for (String line : noCands) {
      if (labelled == fixture.acts().size()) {
        break;
      }
      if (line.contains("\t")) {
        JsonNode act = fixture.acts().get(labelled++);
        line += "\t\t" + String.join("|", ParlaiFixture.list(act, "label_candidates"));
      }
      lines.add(line);
    }
    Files.createDirectories(datapath.resolve("convai2"));
    Files.write(datapath.resolve("convai2/valid_self_original.txt"), lines, StandardCharsets.UTF_8);

    Teacher t = ConvAI2Teacher.load(TeacherOptions.of(datapath, Datatype.VALID));

    assertThat(t.dataFile().getFileName().toString()).isEqualTo("valid_self_original.txt");
    assertThat(t.candidateSource()).startsWith("the data file's label_candidates (K = 20");
    assertThat(t.knownDifferences()).isEmpty();
    List<Example> exs = t.examples().toList();
    assertThat(exs).hasSize(fixture.acts().size());
    for (int i = 0; i < exs.size(); i++) {
      JsonNode act = fixture.acts().get(i);
      assertThat(exs.get(i).labelCandidates())
          .isEqualTo(ParlaiFixture.list(act, "label_candidates"));
      assertThat(exs.get(i).text()).isEqualTo(ParlaiFixture.text(act));
      // the official lists put the gold last
      assertThat(exs.get(i).labelCandidates().get(19)).isEqualTo(exs.get(i).evalLabels().get(0));
    }
  }

  @Test
  void sameSeedSameCandidatesOtherSeedOtherCandidates() throws IOException {
    Teacher again = ConvAI2Teacher.load(TeacherOptions.of(SharedData.dir(), Datatype.VALID));
    Teacher seven =
        ConvAI2Teacher.load(TeacherOptions.of(SharedData.dir(), Datatype.VALID).withSeed(7));
    List<List<String>> a = valid.examples().limit(50).map(Example::labelCandidates).toList();
    assertThat(again.examples().limit(50).map(Example::labelCandidates).toList()).isEqualTo(a);
    assertThat(seven.examples().limit(50).map(Example::labelCandidates).toList()).isNotEqualTo(a);
  }
}
