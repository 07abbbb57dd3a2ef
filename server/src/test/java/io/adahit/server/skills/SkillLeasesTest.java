package io.adahit.server.skills;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.adahit.agents.ranker.CandidateIndex;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Leases against a replace that retires and frees the old skill at once (grace 0). */
class SkillLeasesTest {

  private ScheduledExecutorService housekeeping;
  private SkillLeases leases;

  @BeforeEach
  void open() {
    housekeeping = Executors.newSingleThreadScheduledExecutor();
    leases = new SkillLeases(Duration.ZERO, housekeeping);
  }

  @AfterEach
  void shut() throws InterruptedException {
    housekeeping.shutdown();
    housekeeping.awaitTermination(10, TimeUnit.SECONDS);
    leases.close();
  }

  private static Skill skill(String name) {
    return new Skill(
        name,
        null,
        new CandidateIndex(List.of("hi"), new float[][] {{1f}}, NDManager.newBaseManager()),
        List.of(),
        null);
  }

  @Test
  void aSkillReadJustBeforeAReplaceIsNeverLeasedAfterItWasFreed() throws Exception {
    Skill old = skill("s");
    Skill next = skill("s");
    AtomicReference<Skill> served = new AtomicReference<>(old);
    AtomicBoolean oldFreed = new AtomicBoolean();
    CountDownLatch read = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    // a turn reads the served skill, then stalls (preempted) before it is counted
    CompletableFuture<SkillLeases.Lease> turn =
        CompletableFuture.supplyAsync(
            () ->
                leases.acquire(
                    () -> {
                      Skill s = served.get();
                      read.countDown();
                      try {
                        proceed.await(300, TimeUnit.MILLISECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      return s;
                    }));
    assertThat(read.await(10, TimeUnit.SECONDS)).isTrue();
    // meanwhile an admin replace publishes the successor and retires the old skill
    Thread admin =
        new Thread(
            () -> {
              served.set(next);
              leases.retire(
                  old,
                  () -> {
                    oldFreed.set(true);
                    old.candidates().close();
                  });
            });
    admin.start();
    admin.join(200);
    Thread.sleep(100); // a free with grace 0 has run by now if it was allowed to
    proceed.countDown();
    try (SkillLeases.Lease lease = turn.get(10, TimeUnit.SECONDS)) {
      admin.join(10_000);
      if (lease.skill() == old) {
        assertThat(oldFreed)
            .as("the old skill was freed while a turn holds a lease on it")
            .isFalse();
        assertThat(leases.inFlight(old)).isEqualTo(1);
      }
    }
    for (int i = 0; i < 200 && !oldFreed.get(); i++) {
      Thread.sleep(10);
    }
    assertThat(oldFreed).as("freed once its last lease closed").isTrue();
    try (SkillLeases.Lease now = leases.acquire(served::get)) {
      assertThat(now.skill()).isSameAs(next);
    }
    next.candidates().close();
  }
}
