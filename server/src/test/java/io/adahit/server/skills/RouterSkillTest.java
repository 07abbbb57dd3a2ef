package io.adahit.server.skills;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adahit.agents.adapters.Provenance;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.routing.RouterTrainer;
import io.adahit.agents.routing.SkillRouter;
import io.adahit.server.TestSkills;
import io.adahit.server.config.ServerConfig;
import io.adahit.server.inference.TurnRequest;
import io.adahit.server.inference.TurnResult;
import io.adahit.server.inference.TurnScheduler;
import io.adahit.server.metrics.ServerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A router skill ({@code auto}) in the catalog and the scheduler: a router trained to tell the test
 * skills apart by topic (pets vs. geography questions) routes each turn, and the turn is answered
 * exactly as a turn of the routed skill, in a batch that mixes routed and plain turns.
 */
class RouterSkillTest {

  @TempDir static Path tmp;
  private static Backbone backbone;
  private static SkillCatalog skills;
  private static SkillRouter router;
  private static ScheduledExecutorService housekeeping;
  private static SkillLeases leases;

  private static final List<String> PETS =
      List.of(
          "i have two dogs and a cat.",
          "my puppy chewed my shoes today.",
          "do you have any pets?",
          "my cat sleeps all day long.",
          "we adopted a kitten last week.",
          "i walk my dog every morning.",
          "my parrot can say hello.",
          "i love my hamster so much.");
  private static final List<String> GEO =
      List.of(
          "what is the capital of france?",
          "how long is the nile river?",
          "which country has the most islands?",
          "mount everest is in the himalayas.",
          "tell me about the sahara desert.",
          "what is the largest ocean on earth?",
          "where is the amazon rainforest?",
          "how many states does australia have?");

  @BeforeAll
  static void load() throws Exception {
    housekeeping = Executors.newSingleThreadScheduledExecutor();
    leases = new SkillLeases(Duration.ZERO, housekeeping);
    backbone = Backbone.loadDefault();
    Path dir = TestSkills.write(tmp.resolve("skills"), backbone);
    Map<String, List<String>> byskill = new LinkedHashMap<>();
    byskill.put("base", PETS);
    byskill.put("ada", GEO);
    router =
        new RouterTrainer(backbone, RouterTrainer.Options.defaults()).train("auto", byskill, null);
    router.save(dir.resolve("auto"), Provenance.pending());
    skills =
        SkillCatalog.load(backbone, TestSkills.config(tmp, Map.of()).skills(), LoadProgress.NONE);
  }

  @AfterAll
  static void close() {
    skills.close();
    backbone.close();
    housekeeping.shutdownNow();
  }

  @Test
  void aRouterDirectoryIsARouterSkillOverTheOthers() {
    Skill auto = skills.get("auto");
    assertThat(auto.isRouter()).isTrue();
    assertThat(auto.kind()).isEqualTo("router");
    assertThat(auto.candidateCount()).isZero();
    assertThat(auto.parameterCount()).isEqualTo(router.parameterCount());
    assertThat(skills.names()).containsExactly("ada", "auto", "base");
  }

  @Test
  void eachRoutedTurnIsAnsweredAsATurnOfTheSkillItWasRoutedTo() throws Exception {
    List<String> contexts =
        List.of(
            "my dog loves to play fetch in the park.",
            "what is the tallest mountain in africa?",
            "my cat knocked over a glass.",
            "which river flows through egypt?");
    CountDownLatch gate = new CountDownLatch(1);
    ExecutorService ex = Executors.newSingleThreadExecutor();
    ex.submit(
        () -> {
          gate.await();
          return null;
        }); // all turns queue up and share one batch
    try (TurnScheduler s =
        new TurnScheduler(
            backbone,
            new ServerConfig.Batching(32, 5, 32, 1),
            ex,
            new ServerMetrics(new SimpleMeterRegistry()),
            leases)) {
      List<CompletableFuture<TurnResult>> routed = new ArrayList<>();
      List<CompletableFuture<TurnResult>> direct = new ArrayList<>();
      for (String c : contexts) {
        routed.add(s.submit(new TurnRequest(skills.get("auto"), c, Set.of(), 3)));
        direct.add(s.submit(new TurnRequest(skills.get(router.route(c).skill()), c, Set.of(), 3)));
      }
      gate.countDown();
      List<String> routedTo = new ArrayList<>();
      for (int i = 0; i < contexts.size(); i++) {
        TurnResult r = routed.get(i).get(60, TimeUnit.SECONDS);
        TurnResult d = direct.get(i).get(60, TimeUnit.SECONDS);
        assertThat(r.batchSize()).isEqualTo(2 * contexts.size());
        assertThat(r.routing()).isNotNull();
        assertThat(r.skill()).isEqualTo(r.routing().skill()).isEqualTo(d.skill());
        assertThat(r.candidates()).containsExactlyElementsOf(d.candidates());
        assertThat(r.scores())
            .containsExactly(d.scores(), org.assertj.core.data.Offset.offset(1e-5f));
        assertThat(d.routing()).isNull();
        routedTo.add(r.skill());
      }
      assertThat(routedTo).containsExactly("base", "ada", "base", "ada");
    }
  }

  @Test
  void aRoutedTurnHoldsALeaseOnTheSkillItWasRoutedToUntilItIsScored() throws Exception {
    // a router over the catalog that notes, at each look-up, the leases its target holds already:
    // the
    // scheduler leases every row's target before it scores any, so the later look-ups see the
    // earlier leases
    List<Integer> heldAtLookup = java.util.Collections.synchronizedList(new ArrayList<>());
    Skill auto = skills.get("auto");
    Skill watched =
        Skill.routed(
            "auto",
            auto.router(),
            List.of(),
            auto.dir(),
            name -> {
              Skill s = skills.get(name);
              heldAtLookup.add(leases.inFlight(s));
              return s;
            });
    List<String> pets =
        List.of(
            "my dog loves to play fetch in the park.",
            "my cat knocked over a glass.",
            "we adopted a kitten last week.");
    CountDownLatch gate = new CountDownLatch(1);
    ExecutorService ex = Executors.newSingleThreadExecutor();
    ex.submit(
        () -> {
          gate.await();
          return null;
        }); // all turns queue up and share one batch
    try (TurnScheduler s =
        new TurnScheduler(
            backbone,
            new ServerConfig.Batching(32, 5, 32, 1),
            ex,
            new ServerMetrics(new SimpleMeterRegistry()),
            leases)) {
      List<CompletableFuture<TurnResult>> fs = new ArrayList<>();
      for (String c : pets) {
        fs.add(s.submit(new TurnRequest(watched, c, Set.of(), 3)));
      }
      gate.countDown();
      for (CompletableFuture<TurnResult> f : fs) {
        assertThat(f.get(60, TimeUnit.SECONDS).skill()).isEqualTo("base");
      }
      assertThat(heldAtLookup)
          .as("leases the target holds at each look-up of the batch")
          .containsExactly(0, 1, 2);
      assertThat(leases.inFlight(skills.get("base")))
          .as("released once the batch is scored")
          .isZero();

      // the same for Rank on the router: leased while scoring, released after
      heldAtLookup.clear();
      s.rank(watched, pets.get(0), List.of("i like dogs.", "paris is lovely."))
          .get(60, TimeUnit.SECONDS);
      assertThat(heldAtLookup).containsExactly(0);
      assertThat(leases.inFlight(skills.get("base"))).isZero();
    }
  }

  @Test
  void rankOnTheRouterScoresWithTheRoutedSkill() throws Exception {
    ExecutorService ex = Executors.newSingleThreadExecutor();
    try (TurnScheduler s =
        new TurnScheduler(
            backbone,
            new ServerConfig.Batching(8, 1, 8, 1),
            ex,
            new ServerMetrics(new SimpleMeterRegistry()),
            leases)) {
      List<String> cands = List.of("paris is lovely.", "i like dogs.", "the nile is long.");
      TurnScheduler.Ranked viaAuto =
          s.rank(skills.get("auto"), "which river flows through egypt?", cands)
              .get(60, TimeUnit.SECONDS);
      TurnScheduler.Ranked direct =
          s.rank(skills.get("ada"), "which river flows through egypt?", cands)
              .get(60, TimeUnit.SECONDS);
      assertThat(viaAuto.skill()).isEqualTo("ada");
      assertThat(viaAuto.routing().skill()).isEqualTo("ada");
      assertThat(viaAuto.ranking().scores())
          .containsExactly(direct.ranking().scores(), org.assertj.core.data.Offset.offset(1e-5f));
    }
  }

  @Test
  void aRouterOverASkillThatIsNotServableIsRefusedByName() throws Exception {
    Path other = tmp.resolve("other");
    Path dir = TestSkills.write(other.resolve("skills"), backbone);
    Map<String, List<String>> byskill = new LinkedHashMap<>();
    byskill.put("base", PETS);
    byskill.put("empathetic_dialogues", GEO);
    new RouterTrainer(backbone, RouterTrainer.Options.defaults())
        .train("auto", byskill, null)
        .save(dir.resolve("auto"), Provenance.pending());
    assertThat(Files.isDirectory(dir.resolve("auto"))).isTrue();
    assertThatThrownBy(
            () ->
                SkillCatalog.load(
                    backbone, TestSkills.config(other, Map.of()).skills(), LoadProgress.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("router skill 'auto'")
        .hasMessageContaining("empathetic_dialogues");
  }
}
