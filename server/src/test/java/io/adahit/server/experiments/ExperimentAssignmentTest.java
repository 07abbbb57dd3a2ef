package io.adahit.server.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ExperimentAssignmentTest {

  private static final int N = 10_000;

  private static Experiment experiment(String name, double... weights) {
    List<Experiment.Variant> variants = new java.util.ArrayList<>();
    for (int i = 0; i < weights.length; i++) {
      variants.add(new Experiment.Variant("v" + i, i == 0 ? null : "dir" + i, weights[i]));
    }
    return new Experiment(name, "convai2", variants);
  }

  @Test
  void assignmentIsStickyAndMatchesTheWeightsWithinSamplingError() {
    Experiment e = experiment("convai2-da", 1, 3); // 25% / 75%
    Experiment again = experiment("convai2-da", 1, 3); // a restart, or another replica
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < N; i++) {
      String id = UUID.nameUUIDFromBytes(("conversation " + i).getBytes()).toString();
      String v = e.assign(id).name();
      assertThat(again.assign(id).name()).isEqualTo(v);
      assertThat(e.assign(id).name()).isEqualTo(v);
      counts.merge(v, 1, Integer::sum);
    }
    // binomial sd at n = 10,000, p = .25 is sqrt(n p (1-p)) = 43.3; allow 4 sd (a false alarm 1 in
    // 16,000)
    assertThat(counts.get("v0")).isBetween(2500 - 174, 2500 + 174);
    assertThat(counts.get("v1")).isEqualTo(N - counts.get("v0"));
  }

  @Test
  void threeArmsSplitByWeightAndEachExperimentShufflesIndependently() {
    Experiment e = experiment("three", 2, 1, 1); // 50 / 25 / 25
    Experiment other = experiment("other", 1, 1);
    int[] counts = new int[3];
    int sameInBoth = 0;
    for (int i = 0; i < N; i++) {
      String id = "c-" + i;
      int v = Integer.parseInt(e.assign(id).name().substring(1));
      counts[v]++;
      if (v == 0 && other.assign(id).name().equals("v0")) {
        sameInBoth++;
      }
    }
    // sd 50 (p .5) and 43.3 (p .25): 4 sd
    assertThat(counts[0]).isBetween(5000 - 200, 5000 + 200);
    assertThat(counts[1]).isBetween(2500 - 174, 2500 + 174);
    assertThat(counts[2]).isBetween(2500 - 174, 2500 + 174);
    // independent hashes: of the ~5000 in e's v0, about half are in other's v0 (sd ~35)
    assertThat(sameInBoth).isBetween(counts[0] / 2 - 160, counts[0] / 2 + 160);
  }

  @Test
  void theAssignmentIsAKnownFunctionOfIdAndName() {
    // pinned (computed independently in Python): SHA-256("convai2-da\nabc") starts
    // 8786fbc55e3d761d; its
    // first 53 bits / 2^53 = 0.5294034344535612. Changing the hash would reshuffle running
    // experiments.
    assertThat(Experiment.unit("convai2-da\nabc")).isEqualTo(0.5294034344535612);
    assertThat(experiment("convai2-da", 1, 1).assign("abc").name()).isEqualTo("v1");
    assertThat(experiment("convai2-da", 2, 1).assign("abc").name())
        .as("0.529 < 2/3")
        .isEqualTo("v0");
  }

  @Test
  void badDefinitionsAreRefusedWithTheRule() {
    assertThatThrownBy(() -> experiment("Bad Name", 1, 1))
        .hasMessageContaining("experiment name must be 1..64");
    assertThatThrownBy(() -> experiment("e", 1))
        .hasMessageContaining("needs 2..8 variants, found 1");
    assertThatThrownBy(() -> experiment("e", 1, 0))
        .hasMessageContaining("weight must be a positive number, found 0.0");
    assertThatThrownBy(
            () ->
                new Experiment(
                    "e",
                    "s",
                    List.of(
                        new Experiment.Variant("a", null, 1.0),
                        new Experiment.Variant("a", "x", 1.0))))
        .hasMessageContaining("variant name 'a' is used twice");
  }

  @Test
  void definitionsRoundTripThroughJsonWithWeightOneByDefault() throws Exception {
    ObjectMapper json = new ObjectMapper();
    Experiment e =
        json.readValue(
            "{\"name\":\"e\",\"skill\":\"s\",\"variants\":[{\"name\":\"a\"},"
                + "{\"name\":\"b\",\"adapter\":\"s_b\",\"weight\":3}]}",
            Experiment.class);
    assertThat(e.variants().get(0).weight()).isEqualTo(1.0);
    assertThat(e.variants().get(0).adapter()).isNull();
    assertThat(json.readValue(json.writeValueAsString(e), Experiment.class)).isEqualTo(e);
  }
}
