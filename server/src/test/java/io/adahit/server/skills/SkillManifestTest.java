package io.adahit.server.skills;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Skill descriptions come from the skill's own files: the manifest's field, else REPRODUCE.md's
 * title.
 */
class SkillManifestTest {

  @Test
  void theTitleOfReproduceMdGivesTheDescription() {
    assertThat(
            SkillManifest.fromTitle(
                "# Skill `convai2`: persona chat, getting to know each other (AdaHIT task"
                    + " sub-adapters on `skills/adahit_base`)"))
        .isEqualTo("persona chat, getting to know each other");
    assertThat(SkillManifest.fromTitle("# Skill `auto` (the skill router)"))
        .isEqualTo("the skill router");
    assertThat(SkillManifest.fromTitle("# Skill `base`: the zero-shot backbone"))
        .isEqualTo("the zero-shot backbone");
    assertThat(SkillManifest.fromTitle("# Skill `x`")).isNull();
    assertThat(SkillManifest.fromTitle("# Something else")).isNull();
  }

  @Test
  void theShippedSkillsDescribeThemselves() {
    Path skills = Path.of("..", "skills");
    assertThat(SkillManifest.fromFiles(skills.resolve("convai2")))
        .isEqualTo("persona chat, getting to know each other");
    assertThat(SkillManifest.fromFiles(skills.resolve("wizard_of_wikipedia")))
        .isEqualTo("chat about a topic, grounded in Wikipedia knowledge");
    assertThat(SkillManifest.fromFiles(skills.resolve("empathetic_dialogues")))
        .isEqualTo("empathetic replies to personal stories and feelings");
    assertThat(SkillManifest.fromFiles(skills.resolve("blended_skill_talk")))
        .isEqualTo("a blend of persona, knowledge and empathy");
    assertThat(SkillManifest.fromFiles(skills.resolve("base"))).isEqualTo("the zero-shot backbone");
    assertThat(SkillManifest.fromFiles(skills.resolve("auto"))).isEqualTo("the skill router");
  }

  @Test
  void aDescriptionInTheManifestWinsAndAFolderWithoutEitherSaysNothing(@TempDir Path tmp)
      throws Exception {
    Files.writeString(
        tmp.resolve("adapter_config.json"),
        "{\"description\": \"talks about trains\", \"kind\": \"houlsby\"}");
    Files.writeString(tmp.resolve("REPRODUCE.md"), "# Skill `t`: something else\n");
    assertThat(SkillManifest.fromFiles(tmp)).isEqualTo("talks about trains");
    assertThat(SkillManifest.fromFiles(tmp.resolve("missing"))).isNull();
  }
}
