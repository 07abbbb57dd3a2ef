package io.adahit.agents.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.adahit.agents.adapters.Provenance;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A training run's provenance comes from its options and tasks, not from the caller. */
class TrainerProvenanceTest {

  private static final String SHA_A = "a".repeat(64);
  private static final String SHA_B = "b".repeat(64);

  private static List<TrainingPair> pairs(int n) {
    return java.util.stream.IntStream.range(0, n)
        .mapToObj(i -> new TrainingPair("context " + i, "reply " + i))
        .toList();
  }

  @Test
  void theProvenanceListsTheTasksFilesAndTheOptionsSettings() {
    TrainerOptions o =
        TrainerOptions.defaults(300).withSeed(7).withLearningRate(2e-3).withLengths(256, 64);
    List<TrainingTask> tasks =
        List.of(
            new TrainingTask(
                "convai2",
                pairs(10),
                pairs(2),
                List.of(new Provenance.TrainingFile("c.json", SHA_A))),
            new TrainingTask(
                "bst", pairs(4), List.of(), List.of(new Provenance.TrainingFile("b.csv", SHA_B))));
    Map<String, Double> hits = new LinkedHashMap<>();
    hits.put("convai2", 0.5);
    hits.put("bst", 0.75);

    Provenance p = o.provenance(tasks, 300, hits, 20);

    assertThat(p.trainingFiles())
        .containsExactly(
            new Provenance.TrainingFile("c.json", SHA_A),
            new Provenance.TrainingFile("b.csv", SHA_B));
    assertThat(p.steps()).isEqualTo(300);
    assertThat(p.seed()).isEqualTo(7);
    assertThat(p.learningRate()).isEqualTo(2e-3);
    assertThat(p.validHitsAt1()).isEqualTo(0.625);
    assertThat(p.settings())
        .containsAllEntriesOf(o.resultSettings())
        .containsEntry("train_pairs", "convai2=10,bst=4")
        .containsEntry("valid_candidates", "20")
        .containsEntry("valid_hits_at_1_per_task", "{convai2=0.5, bst=0.75}")
        .containsEntry("context_length", "256");
    assertThat(p.trainedLengths()).hasValueSatisfying(l -> assertThat(l.text()).isEqualTo(256));
    // a caller adds what only it knows
    assertThat(p.withSettings(Map.of("mode", "ada")).settings())
        .containsEntry("mode", "ada")
        .containsAllEntriesOf(p.settings());
  }

  @Test
  void withoutValidationThereIsNoMeanHits() {
    Provenance p =
        TrainerOptions.defaults(5)
            .provenance(List.of(new TrainingTask("x", pairs(3), List.of())), 5, Map.of(), 20);
    assertThat(p.validHitsAt1()).isNull();
    assertThat(p.trainingFiles()).isEmpty();
    assertThat(p.settings()).containsEntry("valid_hits_at_1_per_task", "{}");
  }
}
