package io.adahit.server.skills;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.backbone.Backbone;
import io.adahit.server.AbFixtures;
import io.adahit.server.TestSkills;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run-time adapter management: swap, refusals, leases and frees. */
class AdapterManagerTest {

  @TempDir static Path tmp;
  private static Backbone backbone;
  private static String ada2Fingerprint;
  private AbFixtures.Managed managed;
  private SkillCatalog catalog;
  private SkillLeases leases;
  private AdapterManager adapters;

  @BeforeAll
  static void folder() throws Exception {
    backbone = Backbone.loadDefault();
    AbFixtures.write(TestSkills.write(tmp.resolve("skills"), backbone), backbone);
    ada2Fingerprint = AdapterFiles.readManifest(tmp.resolve("skills/ada2")).weightsFingerprint();
  }

  @AfterAll
  static void close() {
    backbone.close();
  }

  @BeforeEach
  void open() throws Exception {
    managed = AbFixtures.Managed.open(backbone, tmp);
    catalog = managed.catalog();
    leases = managed.leases();
    adapters = managed.adapters();
  }

  @AfterEach
  void shut() throws Exception {
    managed.close();
  }

  private void awaitFreed() throws InterruptedException {
    for (int i = 0; i < 200 && leases.retiring() > 0; i++) {
      Thread.sleep(25);
    }
    assertThat(leases.retiring()).as("retired skills not freed yet").isZero();
  }

  @Test
  void replaceServesTheNewAdapterAndFreesTheOldOnlyAfterItsLastTurn() throws Exception {
    Skill old = catalog.get("ada");
    SkillLeases.Lease inFlight = adapters.lease("ada");
    Skill next = adapters.replace("ada", "ada2");

    assertThat(catalog.get("ada")).isSameAs(next).isNotSameAs(old);
    assertThat(next.adapters().weightsFingerprint()).isEqualTo(ada2Fingerprint);
    assertThat(next.candidates().texts())
        .as("the skill keeps its candidates")
        .isEqualTo(old.candidates().texts());
    assertThat(next.personas()).isEqualTo(old.personas());
    assertThat(adapters.info("ada", next).dir()).isEqualTo("ada2");

    Thread.sleep(100);
    assertThat(leases.retiring()).as("held by a turn in flight").isEqualTo(1);
    assertThat(old.candidates().isClosed()).isFalse();
    assertThat(old.candidates().size()).isEqualTo(TestSkills.POOL);
    try (SkillLeases.Lease now = adapters.lease("ada")) {
      assertThat(now.skill()).as("new turns get the new adapter").isSameAs(next);
    }
    inFlight.close();
    awaitFreed();
    assertThat(old.candidates().isClosed()).as("the old pool is freed once unused").isTrue();
    assertThat(old.adapters().parameters().get(0).isReleased())
        .as("adapters loaded at startup belong to the registry (a fusion may use them): kept")
        .isFalse();

    Skill back = adapters.replace("ada", "ada"); // reload the original directory
    assertThat(back.adapters().weightsFingerprint()).isEqualTo(old.adapters().weightsFingerprint());
    awaitFreed();
    assertThat(next.adapters().parameters().get(0).isReleased())
        .as("adapters loaded at run time are freed")
        .isTrue();
  }

  @Test
  void corruptMismatchedAndEscapingAdaptersAreRefusedAndTheOldKeepsServing() throws Exception {
    Skill before = catalog.get("ada");
    assertRefused("corrupt", "replace 'ada' with corrupt refused", "keeps serving");
    assertRefused("otherbackbone", "was trained on backbone", "sha256:" + "0".repeat(64));
    assertRefused(
        "hier_badbase",
        "was trained on base adapter 'adahit_base' with fingerprint",
        "keeps serving");
    assertRefused("../outside-adapter", "leaves the skills folder", "path traversal refused");
    assertRefused(
        "ada/../../outside-adapter", "leaves the skills folder", "path traversal refused");
    assertRefused(
        tmp.resolve("outside-adapter").toString(),
        "must be a name inside the skills folder",
        "absolute");
    assertRefused("escape", "is a symbolic link to", "outside the skills folder");
    assertRefused("missing", "not found in the skills folder", "missing");
    assertRefused("base", "no adapter_config.json", "keeps serving");
    assertThat(catalog.get("ada")).as("nothing changed").isSameAs(before);
    assertThat(leases.retiring()).isZero();
  }

  @Test
  void aSkillWhoseCandidatesLinkOutOfTheFolderOrADanglingLinkIsRefusedByName() throws Exception {
    Path skills = tmp.resolve("skills");
    Path secret = Files.writeString(tmp.resolve("secret.txt"), "root:x:0:0\n");
    Path leaky =
        Files.createDirectories(skills.resolve("leaky")); // no adapter files: candidates only
    Files.createSymbolicLink(leaky.resolve(SkillCatalog.CANDIDATES_FILE), secret);
    Path dangling =
        Files.createSymbolicLink(skills.resolve("dangling"), tmp.resolve("no-such-dir"));
    try {
      assertThatThrownBy(() -> adapters.load("leaky", "leaky"))
          .isInstanceOf(AdapterRefusedException.class)
          .message()
          .contains(
              "load 'leaky' from leaky refused",
              "is a symbolic link to",
              "outside the skills folder");
      assertThat(catalog.names())
          .as("nothing served from outside the folder")
          .doesNotContain("leaky");
      assertThatThrownBy(() -> adapters.load("d", "dangling"))
          .isInstanceOf(AdapterRefusedException.class)
          .message()
          .contains("'dangling' is a symbolic link to a missing target");
    } finally {
      Files.delete(leaky.resolve(SkillCatalog.CANDIDATES_FILE));
      Files.delete(leaky);
      Files.delete(dangling);
    }
  }

  private void assertRefused(String dir, String... fragments) {
    assertThatThrownBy(() -> adapters.replace("ada", dir))
        .isInstanceOf(AdapterRefusedException.class)
        .message()
        .contains(fragments);
  }

  @Test
  void aHierarchicalVariantStacksOnTheRegistrysBase() throws Exception {
    Skill variant =
        adapters.prepareVariant(catalog.get("ada"), "hier", "experiment 'e' variant 'h'");
    assertThat(variant.kind()).isEqualTo("hierarchical");
    assertThat(variant.adapters().base().orElseThrow().skill()).isEqualTo("adahit_base");
    assertThat(variant.candidates().size()).isEqualTo(TestSkills.POOL);
    assertThat(catalog.names())
        .as("a variant is not served under its own name")
        .containsExactly("ada", "base");
    adapters.retire(variant);
    awaitFreed();
    assertThat(variant.candidates().isClosed()).isTrue();
  }

  @Test
  void skillsLoadAndUnloadWithoutRestart() throws Exception {
    Skill copy = adapters.load("ada_copy", "ada");
    assertThat(catalog.names()).containsExactly("ada", "ada_copy", "base");
    assertThat(copy.candidates().texts()).isEqualTo(TestSkills.adaPool());
    assertThat(adapters.list())
        .extracting(AdapterManager.Info::skill)
        .containsExactly("ada", "ada_copy", "base");
    assertThatThrownBy(() -> adapters.load("ada", "ada"))
        .isInstanceOf(AdapterRefusedException.class)
        .hasMessageContaining("already served; use replace");
    assertThatThrownBy(() -> adapters.load("x", "ada2"))
        .hasMessageContaining("has no candidates.txt");
    assertThatThrownBy(() -> adapters.load("bad name", "ada"))
        .hasMessageContaining("skill name must be");
    adapters.unload("ada_copy");
    assertThat(catalog.names()).containsExactly("ada", "base");
    awaitFreed();
    assertThat(copy.adapters().parameters().get(0).isReleased()).isTrue();
    assertThatThrownBy(() -> adapters.unload("base"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is the default skill");
  }
}
