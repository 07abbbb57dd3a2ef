package io.adahit.agents.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adahit.agents.adapters.Provenance;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.SharedData;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router on small real slices of three skills' training data (the first utterance of each
 * dialogue): ConvAI2 (FSB persona chat), Wizard of Wikipedia (FSB) and EmpatheticDialogues.
 */
class SkillRouterTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int TRAIN = 40;
  private static final int HELD_OUT = 30;

  private static Backbone backbone;
  private static Map<String, List<String>> train;
  private static Map<String, List<String>> heldOut;
  private static SkillRouter router;

  @TempDir Path tmp;

  @BeforeAll
  static void trainRouter() throws IOException {
    backbone = Backbone.loadDefault();
    Path data = SharedData.dir();
    Map<String, List<String>> all = new LinkedHashMap<>();
    all.put("convai2", fsbOpenings(data.resolve("convai2/fsb_persona_1000.json")));
    all.put("wizard_of_wikipedia", fsbOpenings(data.resolve("wow/fsb_wow_test_random_split.json")));
    all.put("empathetic_dialogues", edOpenings(data.resolve("ed/train.jsonl.gz")));
    train = new LinkedHashMap<>();
    heldOut = new LinkedHashMap<>();
    all.forEach(
        (skill, texts) -> {
          train.put(skill, texts.subList(0, TRAIN));
          heldOut.put(skill, texts.subList(TRAIN, TRAIN + HELD_OUT));
        });
    router =
        new RouterTrainer(backbone, RouterTrainer.Options.defaults()).train("auto", train, null);
  }

  @AfterAll
  static void close() {
    backbone.close();
  }

  /** The partner's first utterance of each dialogue of an FSB file. */
  private static List<String> fsbOpenings(Path file) throws IOException {
    List<String> out = new ArrayList<>();
    for (JsonNode ep : JSON.readTree(file.toFile())) {
      if (out.size() < TRAIN + HELD_OUT) {
        out.add(ep.path("dialogue").get(0).get(0).asText());
      }
    }
    return out;
  }

  /** The speaker's first utterance of each EmpatheticDialogues conversation. */
  private static List<String> edOpenings(Path file) throws IOException {
    List<String> out = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
      for (String line; out.size() < TRAIN + HELD_OUT && (line = r.readLine()) != null; ) {
        out.add(JSON.readTree(line).path("utterances").get(0).path("text").asText());
      }
    }
    return out;
  }

  @Test
  void routesHeldOutContextsWellAboveChance() {
    RouterTrainer.Evaluation e =
        new RouterTrainer(backbone, RouterTrainer.Options.defaults())
            .evaluate(router, heldOut, null);
    assertThat(e.examples()).isEqualTo(3 * HELD_OUT);
    assertThat(e.accuracy()).as("held-out routing accuracy (chance 1/3)").isGreaterThan(0.6);
    for (String skill : router.skills()) {
      assertThat(e.accuracy(skill)).as("held-out accuracy of %s", skill).isGreaterThan(1.0 / 3);
    }
    RouterTrainer.Evaluation onTrain =
        new RouterTrainer(backbone, RouterTrainer.Options.defaults()).evaluate(router, train, null);
    assertThat(onTrain.accuracy()).as("training accuracy").isGreaterThan(0.9);
  }

  @Test
  void aRoutingNamesTheMostProbableSkillAndProbabilitiesSumToOne() {
    SkillRouter.Routing r = router.route(heldOut.get("empathetic_dialogues").get(0));
    assertThat(r.probabilities())
        .containsOnlyKeys("convai2", "wizard_of_wikipedia", "empathetic_dialogues");
    assertThat(r.probabilities().values().stream().mapToDouble(d -> d).sum())
        .isCloseTo(1.0, Offset.offset(1e-9));
    assertThat(r.probability())
        .isEqualTo(r.probabilities().values().stream().mapToDouble(d -> d).max().orElseThrow());
    assertThat(router.route(List.of("a", "b"))).hasSize(2);
    assertThat(router.missingSkills(List.of("convai2", "empathetic_dialogues")))
        .containsExactly("wizard_of_wikipedia");
    assertThat(router.parameterCount()).isEqualTo(3 * 384 + 3);
  }

  @Test
  void saveAndLoadGiveTheSameRoutings() throws Exception {
    Provenance p =
        new Provenance(List.of(), null, 0L, null, null, Map.of("held_out_accuracy", "0.9"));
    RouterManifest saved = router.save(tmp.resolve("auto"), p);
    assertThat(SkillRouter.isRouterDir(tmp.resolve("auto"))).isTrue();
    assertThat(Files.exists(tmp.resolve("auto/adapter_config.json")))
        .as("not an adapter directory")
        .isFalse();
    SkillRouter loaded = SkillRouter.load(tmp.resolve("auto"), backbone);
    assertThat(loaded.skills()).isEqualTo(router.skills());
    assertThat(loaded.weightsFingerprint())
        .isEqualTo(router.weightsFingerprint())
        .isEqualTo(saved.weightsFingerprint());
    List<String> texts = heldOut.get("convai2").subList(0, 5);
    assertThat(loaded.route(texts)).isEqualTo(router.route(texts));
    assertThat(SkillRouter.readManifest(tmp.resolve("auto"))).isEqualTo(saved);
    assertThat(saved.provenance()).isEqualTo(p);
  }

  @Test
  void aBadRouterDirectoryIsRefusedNamingTheFileAndTheProblem() throws Exception {
    Path dir = tmp.resolve("auto");
    Path config = dir.resolve(SkillRouter.CONFIG_FILE);
    Path weights = dir.resolve(SkillRouter.WEIGHTS_FILE);
    router.save(dir, Provenance.pending());
    ObjectNode good = (ObjectNode) JSON.readTree(config.toFile());

    ObjectNode other = good.deepCopy();
    ((ObjectNode) other.path("backbone")).put("fingerprint", "sha256:" + "0".repeat(64));
    Files.write(config, JSON.writeValueAsBytes(other));
    assertThatThrownBy(() -> SkillRouter.load(dir, backbone))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(
            config
                + ": router 'auto' was trained on backbone 'all-MiniLM-L6-v2' with fingerprint sha256:000");

    ObjectNode twoSkills = good.deepCopy();
    twoSkills.putArray("skills").add("convai2").add("convai2");
    Files.write(config, JSON.writeValueAsBytes(twoSkills));
    assertThatThrownBy(() -> SkillRouter.load(dir, backbone))
        .hasMessage(config + ": router 'auto': skills must be distinct, found 'convai2' twice");

    ObjectNode fourSkills = good.deepCopy();
    fourSkills.withArray("skills").add("blended_skill_talk");
    fourSkills.put("parameter_count", 4 * 384 + 4);
    Files.write(config, JSON.writeValueAsBytes(fourSkills));
    assertThatThrownBy(() -> SkillRouter.load(dir, backbone))
        .hasMessage(
            weights
                + ": tensor 'router.weight' has shape [3, 384], expected [4, 384] (skills × hidden size of "
                + SkillRouter.CONFIG_FILE
                + ")");

    Files.write(config, JSON.writeValueAsBytes(good));
    assertThat(SkillRouter.load(dir, backbone).skills()).as("the untouched files load").hasSize(3);
    SkillRouter other2 =
        new RouterTrainer(backbone, new RouterTrainer.Options(128, 5, 0.01, 1e-3, 32))
            .train("auto", train, null);
    other2.save(tmp.resolve("other"), Provenance.pending());
    Files.copy(
        tmp.resolve("other").resolve(SkillRouter.WEIGHTS_FILE),
        weights,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> SkillRouter.load(dir, backbone))
        .hasMessageStartingWith(weights + ": weights fingerprint is sha256:")
        .hasMessageEndingWith("(the two files come from different saves)");

    assertThatThrownBy(
            () ->
                new RouterTrainer(backbone, RouterTrainer.Options.defaults())
                    .train("auto", Map.of("convai2", train.get("convai2")), null))
        .hasMessage("router training: needs at least 2 skills to choose between, found [convai2]");
    assertThatThrownBy(
            () ->
                new RouterTrainer(backbone, RouterTrainer.Options.defaults())
                    .evaluate(router, Map.of("blended_skill_talk", List.of("hi")), null))
        .hasMessageContaining("does not route to 'blended_skill_talk'");
  }

  @Test
  void theFitSeparatesLinearlySeparableFeatures() {
    float[][] x = new float[40][];
    int[] y = new int[40];
    java.util.Random r = new java.util.Random(1);
    for (int i = 0; i < x.length; i++) {
      y[i] = i % 2;
      x[i] =
          new float[] {
            (float) (r.nextGaussian() * 0.1 + (y[i] == 0 ? -1 : 1)), (float) r.nextGaussian(), 5f
          };
    }
    float[][] wb = RouterTrainer.fit(x, y, 2, RouterTrainer.Options.defaults());
    for (int i = 0; i < x.length; i++) {
      double z0 = wb[1][0] + wb[0][0] * x[i][0] + wb[0][1] * x[i][1] + wb[0][2] * x[i][2];
      double z1 = wb[1][1] + wb[0][3] * x[i][0] + wb[0][4] * x[i][1] + wb[0][5] * x[i][2];
      assertThat(z1 > z0 ? 1 : 0).as("example %d", i).isEqualTo(y[i]);
    }
  }
}
