package io.adahit.server.skills;

import static org.assertj.core.api.Assertions.assertThat;

import io.adahit.agents.adapters.AdapterConfig;
import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.adapters.AdapterInit;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.adapters.LengthOverrides;
import io.adahit.agents.adapters.Provenance;
import io.adahit.agents.adapters.TextLengths;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.ranker.Ranker;
import io.adahit.agents.ranker.RankerOptions;
import io.adahit.agents.ranker.Ranking;
import io.adahit.agents.ranker.TextEncoder;
import io.adahit.server.TestSkills;
import io.adahit.server.config.ServerConfig;
import io.adahit.server.inference.TurnRequest;
import io.adahit.server.inference.TurnResult;
import io.adahit.server.inference.TurnScheduler;
import io.adahit.server.metrics.ServerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each skill is served at the lengths it was trained at: {@code short}'s manifest says contexts 64
 * and replies 32 word pieces, so its chat turns and Rank calls see 64 of a long context (the same
 * scores as a ranker at 64 / 32, not those at the old global 256 / 128), in a batch where the
 * zero-shot {@code base} still sees 256; a config length overrides every skill.
 */
class SkillLengthsServingTest {

  /** Persona lines and turns: far more than 64 word pieces. */
  private static final String LONG =
      "your persona: i love to ski in the mountains every winter.\n"
          + "your persona: i have two dogs and a cat.\nyour persona: i work as a nurse at the city hospital.\n"
          + "hello there, how are you doing on this fine evening?\ni am great, just got back from a long walk with my dogs.\n"
          + "that sounds lovely. what kind of dogs do you have?\ntwo golden retrievers, they love the snow.\n"
          + "do you like to travel?";

  @TempDir static Path tmp;
  private static Backbone backbone;
  private static ScheduledExecutorService housekeeping;
  private static SkillLeases leases;
  private static SkillCatalog skills;
  private static List<String> pool;

  @BeforeAll
  static void load() throws Exception {
    housekeeping = Executors.newSingleThreadScheduledExecutor();
    leases = new SkillLeases(Duration.ZERO, housekeeping);
    backbone = Backbone.loadDefault();
    Path dir = TestSkills.write(tmp.resolve("skills"), backbone);
    Path shortDir = dir.resolve("short");
    try (AdapterSet s =
        AdapterSet.create(
            backbone,
            AdapterConfig.houlsby("short", 6).withBottleneck(8).withTopLayers(2),
            new AdapterInit(31, 0.2, 0.2))) {
      AdapterFiles.save(
          s,
          shortDir,
          new Provenance(
              List.of(),
              10L,
              0L,
              1e-3,
              null,
              Map.of("context_length", "64", "reply_length", "32")));
    }
    pool = TestSkills.adaPool();
    Files.write(shortDir.resolve("candidates.txt"), pool, StandardCharsets.UTF_8);
    skills = SkillCatalog.load(backbone, config(), LoadProgress.NONE);
  }

  private static ServerConfig.Skills config() throws Exception {
    return TestSkills.config(tmp, Map.of()).skills();
  }

  @AfterAll
  static void close() {
    skills.close();
    backbone.close();
    housekeeping.shutdownNow();
  }

  private static TurnScheduler scheduler(ExecutorService ex) {
    return new TurnScheduler(
        backbone,
        new ServerConfig.Batching(32, 5, 32, 1),
        ex,
        new ServerMetrics(new SimpleMeterRegistry()),
        leases);
  }

  private static Ranking rankAt(Skill s, TextLengths l, String context, List<String> candidates) {
    TextEncoder enc = s.adapters() == null ? TextEncoder.of(backbone) : s.adapters()::embed;
    return new Ranker(enc, RankerOptions.defaults().withLengths(l)).rank(context, candidates);
  }

  @Test
  void eachSkillIsServedAtTheLengthsItsManifestRecords() {
    assertThat(skills.get("short").lengths()).isEqualTo(TextLengths.trained(64, 32));
    assertThat(skills.get("base").lengths())
        .as("zero-shot: the harness defaults")
        .isEqualTo(TextLengths.DEFAULTS);
    assertThat(skills.get("ada").lengths())
        .as("no lengths recorded")
        .isEqualTo(TextLengths.DEFAULTS);
    assertThat(skills.lengths())
        .containsEntry(
            "short", Map.of("text_truncate", 64, "label_truncate", 32, "from", "training"))
        .containsEntry(
            "base", Map.of("text_truncate", 256, "label_truncate", 128, "from", "default"));
  }

  @Test
  void aMixedBatchCutsEachContextAtItsOwnSkillsLength() throws Exception {
    Skill shortSkill = skills.get("short");
    Skill base = skills.get("base");
    CountDownLatch gate = new CountDownLatch(1);
    ExecutorService ex = Executors.newSingleThreadExecutor();
    ex.submit(
        () -> {
          gate.await();
          return null;
        }); // both turns queue up and share one batch
    try (TurnScheduler s = scheduler(ex)) {
      CompletableFuture<TurnResult> fs = s.submit(new TurnRequest(shortSkill, LONG, Set.of(), 5));
      CompletableFuture<TurnResult> fb = s.submit(new TurnRequest(base, LONG, Set.of(), 5));
      gate.countDown();
      TurnResult rs = fs.get(60, TimeUnit.SECONDS);
      TurnResult rb = fb.get(60, TimeUnit.SECONDS);
      assertThat(rs.batchSize()).isEqualTo(2);
      Ranking at64 = rankAt(shortSkill, TextLengths.trained(64, 32), LONG, pool);
      Ranking at256 = rankAt(shortSkill, TextLengths.DEFAULTS, LONG, pool);
      assertThat(rs.candidates()).containsExactlyElementsOf(at64.top(pool, 5));
      assertThat(rs.scores()[0]).isCloseTo(at64.topScores(1)[0], Offset.offset(1e-4f));
      assertThat(at256.topScores(1)[0])
          .as("the old 256 / 128 would score otherwise")
          .isNotCloseTo(at64.topScores(1)[0], Offset.offset(1e-3f));
      Ranking base256 = rankAt(base, TextLengths.DEFAULTS, LONG, TestSkills.basePool());
      assertThat(rb.candidates()).containsExactlyElementsOf(base256.top(TestSkills.basePool(), 5));
      assertThat(rb.scores()[0]).isCloseTo(base256.topScores(1)[0], Offset.offset(1e-4f));
    }
  }

  @Test
  void rankScoresAtTheSkillsLengthsAsTheInProcessRankerDoes() throws Exception {
    Skill shortSkill = skills.get("short");
    List<String> cands = pool.subList(0, 20);
    try (TurnScheduler s = scheduler(Executors.newSingleThreadExecutor())) {
      float[] served = s.rank(shortSkill, LONG, cands).get(60, TimeUnit.SECONDS).ranking().scores();
      assertThat(served)
          .isEqualTo(rankAt(shortSkill, TextLengths.trained(64, 32), LONG, cands).scores());
      assertThat(served)
          .isNotEqualTo(rankAt(shortSkill, TextLengths.DEFAULTS, LONG, cands).scores());
    }
  }

  @Test
  void aConfigLengthOverridesEverySkill() throws Exception {
    try (SkillCatalog c =
        SkillCatalog.load(backbone, config(), LengthOverrides.of(128, null), LoadProgress.NONE)) {
      assertThat(c.get("short").lengths())
          .isEqualTo(new TextLengths(128, 32, TextLengths.Origin.OVERRIDE));
      assertThat(c.get("base").lengths())
          .isEqualTo(new TextLengths(128, 128, TextLengths.Origin.OVERRIDE));
      try (TurnScheduler s = scheduler(Executors.newSingleThreadExecutor())) {
        List<String> cands = pool.subList(0, 20);
        float[] served =
            s.rank(c.get("short"), LONG, cands).get(60, TimeUnit.SECONDS).ranking().scores();
        assertThat(served)
            .isEqualTo(
                rankAt(
                        c.get("short"),
                        new TextLengths(128, 32, TextLengths.Origin.OVERRIDE),
                        LONG,
                        cands)
                    .scores());
      }
    }
  }
}
