package io.adahit.eval.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.EncodeOptions;
import io.adahit.eval.teachers.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading what to rank with: zero-shot, a skill by name, an adapter directory. */
class RankingModelTest {

  private static final List<String> TEXTS =
      List.of("i love skiing in the alps.", "what do you do for fun?");

  private static Backbone backbone;
  @TempDir static Path skills;
  private static Path convai2;
  private static Path copyOfBstValid;

  @BeforeAll
  static void setUp() throws Exception {
    backbone = Backbone.loadDefault();
    convai2 = SharedData.dir().resolve("convai2/valid_self_original_no_cands.txt");
    copyOfBstValid = skills.getParent().resolve(skills.getFileName() + "-copy.json");
    Files.copy(
        SharedData.dir().resolve("bst/valid_dialogues.json"),
        copyOfBstValid,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Path unrelated =
        Files.writeString(skills.resolveSibling(skills.getFileName() + "-other.txt"), "other");
    TestSkills.write(backbone, skills, copyOfBstValid, unrelated);
  }

  @AfterAll
  static void tearDown() throws IOException {
    backbone.close();
    Files.deleteIfExists(copyOfBstValid);
  }

  private static double cosine(float[] a, float[] b) {
    double d = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      d += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return d / Math.sqrt(na * nb);
  }

  @Test
  void eachConfigurationHasItsOwnEncoderAndCacheIdentity() throws Exception {
    float[][] zero = backbone.embed(TEXTS, EncodeOptions.defaults());
    try (RankingModel z = RankingModel.load(backbone, skills, null, null);
        RankingModel plain = RankingModel.load(backbone, skills, "plain", null);
        RankingModel hit = RankingModel.adapterDir(backbone, skills.resolve("hit"));
        RankingModel head = RankingModel.load(backbone, skills, "head", null)) {
      assertThat(z.hasAdapter()).isFalse();
      assertThat(z.encoderId()).isEqualTo(backbone.fingerprint() + "/zero-shot");
      assertThat(List.of(z.encoderId(), plain.encoderId(), hit.encoderId(), head.encoderId()))
          .doesNotHaveDuplicates();
      assertThat(plain.encoderId()).contains("/adapter/plain/sha256:");
      assertThat(hit.encoderId()).contains("/adapter/hit/").contains("/base/sha256:");
      assertThat(hit.describe())
          .containsEntry("skill", "hit")
          .containsEntry("base_adapter", "base");
      // the head has no hook points: it changes the embeddings only if the encoder applies it
      for (RankingModel m : List.of(plain, hit, head)) {
        float[][] e = m.encoder().encode(TEXTS, EncodeOptions.defaults());
        assertThat(cosine(e[0], zero[0])).as(m.label()).isLessThan(0.9999);
      }
      assertThat(z.encoder().encode(TEXTS, EncodeOptions.defaults())).isDeepEqualTo(zero);
    }
  }

  @Test
  void contaminationIsFoundByContentThroughTheBaseAdapter() throws Exception {
    Path bstValid = SharedData.dir().resolve("bst/valid_dialogues.json");
    try (RankingModel hit = RankingModel.load(backbone, skills, "hit", null);
        RankingModel plain = RankingModel.load(backbone, skills, "plain", null)) {
      assertThat(hit.trainingFiles())
          .extracting(Contamination.TrainingSource::skill)
          .containsExactly("base");
      Optional<Contamination> c =
          Contamination.find("blended_skill_talk", bstValid, hit.trainingFiles());
      assertThat(c).isPresent();
      assertThat(c.get().skill()).isEqualTo("base");
      assertThat(c.get().trainingPath()).isEqualTo(copyOfBstValid.toString());
      assertThat(c.get().message())
          .startsWith("CONTAMINATED: task 'blended_skill_talk' evaluates " + bstValid);
      assertThat(Contamination.find("convai2", convai2, hit.trainingFiles())).isEmpty();
      assertThat(Contamination.find("blended_skill_talk", bstValid, plain.trainingFiles()))
          .isEmpty();
    }
  }

  @Test
  void badChoicesAreRefusedWithTheReason() throws Exception {
    assertThatThrownBy(() -> RankingModel.load(backbone, skills, "nope", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown skill 'nope' in skills folder")
        .hasMessageContaining("known skills: [base, head, hit, plain]");
    assertThatThrownBy(() -> RankingModel.load(backbone, skills, "plain", skills.resolve("plain")))
        .hasMessageStartingWith("give --skill or --adapter, not both");
    assertThatThrownBy(() -> RankingModel.adapterDir(backbone, skills.resolve("missing")))
        .hasMessageContaining("adapter_config.json")
        .hasMessageContaining("adapter config not found");
  }
}
