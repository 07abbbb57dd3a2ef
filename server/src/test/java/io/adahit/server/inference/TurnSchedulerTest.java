package io.adahit.server.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.EngineThreads;
import io.adahit.agents.ranker.Ranker;
import io.adahit.agents.ranker.RankerOptions;
import io.adahit.agents.ranker.Ranking;
import io.adahit.agents.ranker.TextEncoder;
import io.adahit.server.TestSkills;
import io.adahit.server.config.ServerConfig;
import io.adahit.server.metrics.ServerMetrics;
import io.adahit.server.skills.LoadProgress;
import io.adahit.server.skills.Skill;
import io.adahit.server.skills.SkillCatalog;
import io.adahit.server.skills.SkillLeases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TurnSchedulerTest {

  @TempDir static Path tmp;
  private static Backbone backbone;
  private static SkillCatalog skills;
  private static ScheduledExecutorService housekeeping;
  private static SkillLeases leases;

  @BeforeAll
  static void load() throws Exception {
    housekeeping = Executors.newSingleThreadScheduledExecutor();
    leases = new SkillLeases(Duration.ZERO, housekeeping);
    backbone = Backbone.loadDefault();
    TestSkills.write(tmp.resolve("skills"), backbone);
    skills =
        SkillCatalog.load(backbone, TestSkills.config(tmp, Map.of()).skills(), LoadProgress.NONE);
  }

  @AfterAll
  static void close() {
    skills.close();
    backbone.close();
    housekeeping.shutdownNow();
  }

  private static ServerConfig.Batching batching(int queue) {
    return new ServerConfig.Batching(32, 5, queue, 1);
  }

  private static TurnScheduler scheduler(int queue, ExecutorService ex) {
    return new TurnScheduler(
        backbone, batching(queue), ex, new ServerMetrics(new SimpleMeterRegistry()), leases);
  }

  @Test
  void aTurnIsAnsweredWithTheBestCandidateOfItsSkillsPoolAsTheRankerRanksIt() throws Exception {
    Skill base = skills.get("base");
    ExecutorService ex = Executors.newSingleThreadExecutor();
    try (TurnScheduler s = scheduler(8, ex)) {
      String context = "hi! do you have any pets?";
      TurnResult r =
          s.submit(new TurnRequest(base, context, Set.of(), 5)).get(60, TimeUnit.SECONDS);
      List<String> pool = TestSkills.basePool();
      Ranking expected =
          new Ranker(TextEncoder.of(backbone), RankerOptions.defaults()).rank(context, pool);
      assertThat(r.skill()).isEqualTo("base");
      assertThat(r.candidates()).containsExactlyElementsOf(expected.top(pool, 5));
      assertThat(r.scores()[0])
          .isCloseTo(expected.topScores(1)[0], org.assertj.core.data.Offset.offset(1e-4f));
    }
  }

  @Test
  void contextsAreTruncatedToTheConfiguredLengthKeepingTheLatestTurns() throws Exception {
    Skill base = skills.get("base");
    String latest = "do you have any pets? i have two dogs.";
    String a = "hello there, how are you today?\n" + latest;
    String b = "i love to ski in the mountains every winter with my family\n" + latest;
    ExecutorService ex = Executors.newSingleThreadExecutor();
    RankerOptions eight = RankerOptions.defaults().withContextLength(8);
    Skill base8 = base.withContextLength(8); // as agent.textTruncate=8 serves it
    try (TurnScheduler s = scheduler(8, ex)) {
      TurnResult ra = s.submit(new TurnRequest(base8, a, Set.of(), 5)).get(60, TimeUnit.SECONDS);
      TurnResult rb = s.submit(new TurnRequest(base8, b, Set.of(), 5)).get(60, TimeUnit.SECONDS);
      // 8 word pieces, [CLS] and [SEP] included, all from the latest turn: the two contexts are one
      assertThat(rb.candidates()).isEqualTo(ra.candidates());
      assertThat(rb.scores()).isEqualTo(ra.scores());
      Ranking expected = new Ranker(TextEncoder.of(backbone), eight).rank(a, TestSkills.basePool());
      assertThat(ra.candidates()).containsExactlyElementsOf(expected.top(TestSkills.basePool(), 5));
    }
    try (TurnScheduler s =
        scheduler(8, Executors.newSingleThreadExecutor())) { // 256: the whole context counts
      float[] sa =
          s.submit(new TurnRequest(base, a, Set.of(), 5)).get(60, TimeUnit.SECONDS).scores();
      float[] sb =
          s.submit(new TurnRequest(base, b, Set.of(), 5)).get(60, TimeUnit.SECONDS).scores();
      assertThat(sb).isNotEqualTo(sa);
    }
  }

  @Test
  void turnsOfTwoSkillsInOneBatchAreEachAnsweredFromTheirOwnPool() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    ExecutorService ex = Executors.newSingleThreadExecutor();
    ex.submit(
        () -> {
          gate.await();
          return null;
        }); // holds the loop so that all turns queue up and share a batch
    try (TurnScheduler s = scheduler(8, ex)) {
      List<CompletableFuture<TurnResult>> fs = new ArrayList<>();
      for (String skill : List.of("base", "ada", "base", "ada")) {
        fs.add(
            s.submit(
                new TurnRequest(
                    skills.get(skill), "what do you like to do on weekends?", Set.of(), 3)));
      }
      gate.countDown();
      List<TurnResult> rs = new ArrayList<>();
      for (CompletableFuture<TurnResult> f : fs) {
        rs.add(f.get(60, TimeUnit.SECONDS));
      }
      assertThat(rs).extracting(TurnResult::batchSize).containsOnly(4);
      assertThat(rs.get(0).skill()).isEqualTo("base");
      assertThat(rs.get(0).text()).isIn(TestSkills.basePool());
      assertThat(rs.get(1).skill()).isEqualTo("ada");
      assertThat(rs.get(1).text()).isIn(TestSkills.adaPool());
      assertThat(rs.get(2).candidates()).isEqualTo(rs.get(0).candidates());
    }
  }

  @Test
  void aBatchOverTheTokenBudgetRunsInSeveralPassesWithTheSameAnswers() throws Exception {
    List<String> contexts = new ArrayList<>();
    for (int i = 0; i < 18; i++) { // 18 x 256 tokens is over one pass's budget
      contexts.add(("i love to go hiking with my dog on weekends number " + i + " . ").repeat(30));
    }
    contexts.add("hi!");
    contexts.add("do you like music?");
    CountDownLatch gate = new CountDownLatch(1);
    ExecutorService ex = Executors.newSingleThreadExecutor();
    ex.submit(
        () -> {
          gate.await();
          return null;
        });
    try (TurnScheduler s = scheduler(64, ex)) {
      List<CompletableFuture<TurnResult>> fs = new ArrayList<>();
      for (String c : contexts) {
        fs.add(s.submit(new TurnRequest(skills.get("base"), c, Set.of(), 1)));
      }
      gate.countDown();
      List<String> pool = TestSkills.basePool();
      List<Ranking> expected =
          new Ranker(TextEncoder.of(backbone), RankerOptions.defaults())
              .rankAll(contexts, java.util.Collections.nCopies(contexts.size(), pool));
      assertThat(18 * 256).isGreaterThan(TurnScheduler.TOKENS_PER_PASS);
      for (int i = 0; i < contexts.size(); i++) {
        TurnResult r = fs.get(i).get(120, TimeUnit.SECONDS);
        assertThat(r.batchSize()).isEqualTo(contexts.size());
        assertThat(r.text()).as("context " + i).isEqualTo(expected.get(i).top(pool, 1).get(0));
      }
    }
  }

  @Test
  void aFullQueueRefusesAtOnceWithOverloaded() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    ExecutorService ex = Executors.newSingleThreadExecutor();
    ex.submit(
        () -> {
          gate.await();
          return null;
        });
    TurnScheduler s = scheduler(2, ex);
    try {
      Skill base = skills.get("base");
      CompletableFuture<TurnResult> a = s.submit(new TurnRequest(base, "one", Set.of(), 1));
      CompletableFuture<TurnResult> b = s.submit(new TurnRequest(base, "two", Set.of(), 1));
      CompletableFuture<TurnResult> c = s.submit(new TurnRequest(base, "three", Set.of(), 1));
      assertThat(c).isCompletedExceptionally();
      assertThatThrownBy(c::get)
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(OverloadedException.class);
      gate.countDown();
      assertThat(a.get(60, TimeUnit.SECONDS).text()).isNotEmpty();
      assertThat(b.get(60, TimeUnit.SECONDS).text()).isNotEmpty();
    } finally {
      gate.countDown();
      s.close();
    }
  }

  @Test
  void blockedCandidatesAreNeverReturned() throws Exception {
    Skill base = skills.get("base");
    ExecutorService ex = Executors.newSingleThreadExecutor();
    try (TurnScheduler s = scheduler(8, ex)) {
      TurnResult first =
          s.submit(new TurnRequest(base, "hello there", Set.of(), 3)).get(60, TimeUnit.SECONDS);
      TurnResult again =
          s.submit(new TurnRequest(base, "hello there", Set.of(first.text()), 3))
              .get(60, TimeUnit.SECONDS);
      assertThat(again.candidates())
          .doesNotContain(first.text())
          .startsWith(first.candidates().get(1));
    }
  }

  @Test
  void twoLoopsShareTheTurnsEachOnItsShareOfTheEngineThreadsWithTheOneLoopsAnswers()
      throws Exception {
    List<String> contexts =
        List.of(
            "hi! do you have any pets?",
            "what do you like to do on weekends?",
            "i just got back from a long trip to the mountains",
            "my favourite food is pizza, what is yours?");
    List<TurnResult> oneLoop = new ArrayList<>();
    try (TurnScheduler s = scheduler(8, Executors.newSingleThreadExecutor())) {
      for (String c : contexts) {
        oneLoop.add(
            s.submit(new TurnRequest(skills.get("base"), c, Set.of(), 3))
                .get(60, TimeUnit.SECONDS));
      }
    }
    int engineThreads = EngineThreads.current();
    ServerConfig.Batching two = new ServerConfig.Batching(1, 0, 128, 2);
    CountDownLatch gate = new CountDownLatch(1);
    ExecutorService ex = Executors.newFixedThreadPool(2);
    for (int i = 0; i < 2; i++) {
      ex.submit(
          () -> {
            gate.await();
            return null;
          }); // the loops start after every turn is queued and its callbacks attached
    }
    record Answer(TurnResult result, String thread, int engineThreads) {}
    try (TurnScheduler s =
        new TurnScheduler(
            backbone, two, ex, new ServerMetrics(new SimpleMeterRegistry()), leases)) {
      assertThat(s.workers()).isEqualTo(2);
      List<CompletableFuture<Answer>> fs = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        fs.add(
            s.submit(new TurnRequest(skills.get("base"), contexts.get(i % 4), Set.of(), 3))
                .thenApply( // runs on the loop thread that completes the turn
                    r -> new Answer(r, Thread.currentThread().getName(), EngineThreads.current())));
      }
      gate.countDown();
      Set<String> threads = new java.util.HashSet<>();
      for (int i = 0; i < fs.size(); i++) {
        Answer a = fs.get(i).get(60, TimeUnit.SECONDS);
        threads.add(a.thread());
        assertThat(a.engineThreads()).isEqualTo(two.threadsPerWorker(engineThreads));
        assertThat(a.result().candidates()).isEqualTo(oneLoop.get(i % 4).candidates());
        assertThat(a.result().scores())
            .containsExactly(
                oneLoop.get(i % 4).scores(), org.assertj.core.data.Offset.offset(1e-5f));
      }
      assertThat(threads).hasSize(2);
      // a thread new to the engine still takes the process's count, not a loop's
      int fresh = 0;
      for (int attempt = 0; attempt < 50 && fresh != engineThreads; attempt++) {
        ExecutorService probe = Executors.newSingleThreadExecutor();
        fresh = probe.submit(EngineThreads::current).get(10, TimeUnit.SECONDS);
        probe.shutdown();
        if (fresh != engineThreads) {
          Thread.sleep(100);
        }
      }
      assertThat(fresh).isEqualTo(engineThreads);
    }
  }

  @Test
  void drainAnswersTheTurnsAlreadyQueued() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    ExecutorService ex = Executors.newSingleThreadExecutor();
    ex.submit(
        () -> {
          gate.await();
          return null;
        });
    TurnScheduler s = scheduler(8, ex);
    Skill base = skills.get("base");
    CompletableFuture<TurnResult> a = s.submit(new TurnRequest(base, "one", Set.of(), 1));
    CompletableFuture<TurnResult> b = s.submit(new TurnRequest(base, "two", Set.of(), 1));
    CompletableFuture<Boolean> drained =
        CompletableFuture.supplyAsync(() -> s.drain(Duration.ofSeconds(60)));
    gate.countDown();
    assertThat(drained.get(90, TimeUnit.SECONDS)).isTrue();
    assertThat(a).isCompleted();
    assertThat(a.get().text()).isNotEmpty();
    assertThat(b.get().text()).isNotEmpty();
    ex.shutdown();
  }

  @Test
  void afterDrainNewTurnsAreRefusedAsShuttingDown() throws Exception {
    ExecutorService ex = Executors.newSingleThreadExecutor();
    TurnScheduler s = scheduler(8, ex);
    assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
    CompletableFuture<TurnResult> f =
        s.submit(new TurnRequest(skills.get("base"), "hi", Set.of(), 1));
    assertThatThrownBy(f::get).hasCauseInstanceOf(ShuttingDownException.class);
    ex.shutdown();
  }
}
