package io.adahit.server.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adahit.agents.backbone.Backbone;
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
import java.util.Collections;
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
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rank calls run in pieces between chat turns: they score as the in-process Ranker does, a chat
 * turn never waits for a whole large Rank, a Rank whose caller has gone stops, and the Rank queue
 * is bounded. Ordering and piece counts, not timing.
 */
class RankSchedulingTest {

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

  private record Fixture(TurnScheduler scheduler, SimpleMeterRegistry registry) {
    double pieces() {
      return registry.counter("adahit.rank.pieces").count();
    }

    double abandoned() {
      return registry.counter("adahit.rank.abandoned").count();
    }
  }

  private static Fixture scheduler(int chunk, int rankQueue, ExecutorService ex) {
    return scheduler(chunk, rankQueue, 0, ex);
  }

  private static Fixture scheduler(int chunk, int rankQueue, int cacheMb, ExecutorService ex) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ServerConfig.Rank limits =
        new ServerConfig.Rank(65_536, 100_000, 10_000_000, chunk, rankQueue, cacheMb);
    return new Fixture(
        new TurnScheduler(
            backbone,
            new ServerConfig.Batching(32, 1, 64, 1),
            limits,
            ex,
            new ServerMetrics(registry),
            leases),
        registry);
  }

  /** {@code n} distinct candidates made of real replies. */
  private static List<String> candidates(int n) throws Exception {
    List<String> pool = TestSkills.basePool();
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(pool.get(i % pool.size()) + " (" + i + ")");
    }
    return out;
  }

  private static void awaitPieces(Fixture f, double atLeast) throws InterruptedException {
    for (int i = 0; i < 6000 && f.pieces() < atLeast; i++) {
      Thread.sleep(10);
    }
    assertThat(f.pieces()).as("Rank pieces encoded").isGreaterThanOrEqualTo(atLeast);
  }

  @Test
  void aRankCutIntoPiecesScoresExactlyAsTheRanker() throws Exception {
    String context = "your persona: i love dogs.\nhi! do you have pets?";
    List<String> cands = new ArrayList<>(candidates(40));
    cands.add(cands.get(3)); // a repeated candidate is encoded once and scored twice
    Fixture f = scheduler(7, 4, Executors.newSingleThreadExecutor());
    try (TurnScheduler s = f.scheduler()) {
      TurnScheduler.Ranked r = s.rank(skills.get("ada"), context, cands).get(120, TimeUnit.SECONDS);
      Ranking expected =
          new Ranker(TextEncoder.of(skills.get("ada").adapters()), RankerOptions.defaults())
              .rank(context, cands);
      assertThat(r.skill()).isEqualTo("ada");
      for (int i = 0; i < cands.size(); i++) {
        assertThat(r.ranking().scores()[i])
            .as("candidate " + i)
            .isCloseTo(expected.scores()[i], Offset.offset(1e-5f));
      }
      assertThat(r.ranking().scores()[40]).isEqualTo(r.ranking().scores()[3]);
      assertThat(f.pieces())
          .as("the context, then 40 distinct candidates in chunks of 7")
          .isEqualTo(1 + 6);
    }
  }

  @Test
  void candidatesThatComeBackInALaterCallAreNotEncodedAgainAndScoreTheSame() throws Exception {
    List<String> first = candidates(40);
    List<String> second = new ArrayList<>(first.subList(10, 40));
    Collections.reverse(second);
    second.add("a reply no call has sent before");
    second.add("and one more that is new");
    String context = "your persona: i love dogs.\nhi! do you have pets?";
    Fixture f = scheduler(7, 4, 1, Executors.newSingleThreadExecutor());
    try (TurnScheduler s = f.scheduler()) {
      s.rank(skills.get("ada"), context, first).get(120, TimeUnit.SECONDS);
      assertThat(f.pieces()).isEqualTo(1 + 6);
      TurnScheduler.Ranked r =
          s.rank(skills.get("ada"), "what do you do for fun?", second).get(120, TimeUnit.SECONDS);
      assertThat(f.pieces() - 7)
          .as("the context, then only the 2 new candidates: one piece")
          .isEqualTo(1 + 1);
      Ranking expected =
          new Ranker(TextEncoder.of(skills.get("ada").adapters()), RankerOptions.defaults())
              .rank("what do you do for fun?", second);
      for (int i = 0; i < second.size(); i++) {
        assertThat(r.ranking().scores()[i])
            .as("candidate " + i)
            .isCloseTo(expected.scores()[i], Offset.offset(1e-5f));
      }
      assertThat(
              f.registry()
                  .get("cache.gets")
                  .tags("cache", "adahit.rank.candidates", "result", "hit")
                  .functionCounter()
                  .count())
          .isEqualTo(30);
      // the same texts for another skill are that skill's own embeddings, encoded again
      s.rank(skills.get("base"), context, second).get(120, TimeUnit.SECONDS);
      assertThat(f.pieces() - 9).isEqualTo(1 + 5);
    }
  }

  @Test
  void aChatTurnSubmittedWhileALargeRankRunsIsAnsweredBeforeTheRankFinishes() throws Exception {
    Fixture f = scheduler(8, 4, Executors.newSingleThreadExecutor());
    try (TurnScheduler s = f.scheduler()) {
      List<String> order = Collections.synchronizedList(new ArrayList<>());
      CompletableFuture<TurnScheduler.Ranked> rank =
          s.rank(skills.get("base"), "hi! what do you do for fun?", candidates(1200));
      rank.whenComplete((r, e) -> order.add("rank"));
      awaitPieces(f, 2); // the Rank is under way: its context and a first chunk are encoded
      CompletableFuture<TurnResult> turn =
          s.submit(new TurnRequest(skills.get("base"), "do you like music?", Set.of(), 3));
      turn.whenComplete((r, e) -> order.add("turn"));
      assertThat(turn.get(120, TimeUnit.SECONDS).text()).isIn(TestSkills.basePool());
      assertThat(rank.get(300, TimeUnit.SECONDS).ranking().scores()).hasSize(1200);
      assertThat(order)
          .as("the turn went between two pieces of the Rank")
          .containsExactly("turn", "rank");
      assertThat(f.pieces()).isEqualTo(1 + 1200 / 8);
    }
  }

  @Test
  void aRankWhoseCallerHasGoneStopsEncodingFurtherChunks() throws Exception {
    Fixture f = scheduler(8, 4, Executors.newSingleThreadExecutor());
    try (TurnScheduler s = f.scheduler()) {
      int total = 1 + 2000 / 8;
      CompletableFuture<TurnScheduler.Ranked> rank =
          s.rank(skills.get("base"), "hi there", candidates(2000));
      awaitPieces(f, 3);
      double atCancel = f.pieces();
      rank.cancel(
          false); // what the gRPC service does when the call is cancelled or its deadline passes
      for (int i = 0; i < 6000 && f.abandoned() == 0; i++) {
        Thread.sleep(10);
      }
      assertThat(f.abandoned()).as("the call was dropped").isEqualTo(1.0);
      double after = f.pieces();
      // between the cancel and the drop, at most the piece under way (and one that began just
      // before it)
      assertThat(after).isLessThanOrEqualTo(atCancel + 2).isLessThan(total);
      // the scheduler has let go of it: turns are answered and nothing more of the call is encoded
      s.submit(new TurnRequest(skills.get("base"), "hello", Set.of(), 1))
          .get(120, TimeUnit.SECONDS);
      s.submit(new TurnRequest(skills.get("base"), "and again", Set.of(), 1))
          .get(120, TimeUnit.SECONDS);
      assertThat(f.pieces()).as("no piece encoded once the caller had gone").isEqualTo(after);
      assertThat(f.abandoned()).isEqualTo(1.0);
    }
  }

  @Test
  void waitingRanksWhoseCallersHaveGoneDoNotHoldTheQueuesPlaces() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    ExecutorService ex = Executors.newSingleThreadExecutor();
    ex.submit(
        () -> {
          gate.await();
          return null;
        }); // holds the loop: the calls wait, as behind a standing chat backlog
    Fixture f = scheduler(8, 2, ex);
    TurnScheduler s = f.scheduler();
    try {
      Skill base = skills.get("base");
      CompletableFuture<TurnScheduler.Ranked> a = s.rank(base, "one", List.of("x", "y"));
      CompletableFuture<TurnScheduler.Ranked> b = s.rank(base, "two", List.of("x", "y"));
      a.cancel(false); // its deadline passed while it waited
      CompletableFuture<TurnScheduler.Ranked> c = s.rank(base, "three", List.of("x", "y"));
      assertThat(c).as("the abandoned call gave up its place").isNotCompletedExceptionally();
      assertThat(f.abandoned()).isEqualTo(1.0);
      assertThat(s.rankQueueDepth()).isEqualTo(2);
      CompletableFuture<TurnScheduler.Ranked> d = s.rank(base, "four", List.of("x", "y"));
      assertThatThrownBy(d::get)
          .as("live calls still fill the queue")
          .cause()
          .isInstanceOf(OverloadedException.class);
      gate.countDown();
      assertThat(b.get(60, TimeUnit.SECONDS).ranking().scores()).hasSize(2);
      assertThat(c.get(60, TimeUnit.SECONDS).ranking().scores()).hasSize(2);
    } finally {
      gate.countDown();
      s.close();
    }
  }

  @Test
  void aRankThatFindsTheRankQueueFullIsRefusedNamingTheLimit() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    ExecutorService ex = Executors.newSingleThreadExecutor();
    ex.submit(
        () -> {
          gate.await();
          return null;
        }); // holds the loop: the calls wait
    Fixture f = scheduler(8, 2, ex);
    TurnScheduler s = f.scheduler();
    try {
      Skill base = skills.get("base");
      CompletableFuture<TurnScheduler.Ranked> a = s.rank(base, "one", List.of("x", "y"));
      CompletableFuture<TurnScheduler.Ranked> b = s.rank(base, "two", List.of("x", "y"));
      CompletableFuture<TurnScheduler.Ranked> c = s.rank(base, "three", List.of("x", "y"));
      assertThat(c).isCompletedExceptionally();
      assertThatThrownBy(c::get)
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(OverloadedException.class)
          .hasMessageContaining("rank.queueCapacity");
      CompletableFuture<TurnResult> turn =
          s.submit(new TurnRequest(base, "turns have their own queue", Set.of(), 1));
      gate.countDown();
      assertThat(turn.get(60, TimeUnit.SECONDS).text()).isNotEmpty();
      assertThat(a.get(60, TimeUnit.SECONDS).ranking().scores()).hasSize(2);
      assertThat(b.get(60, TimeUnit.SECONDS).ranking().scores()).hasSize(2);
    } finally {
      gate.countDown();
      s.close();
    }
  }
}
