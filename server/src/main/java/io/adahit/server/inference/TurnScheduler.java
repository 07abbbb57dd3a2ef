package io.adahit.server.inference;

import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.EngineThreads;
import io.adahit.agents.ranker.Ranker;
import io.adahit.agents.ranker.Ranking;
import io.adahit.agents.routing.SkillRouter;
import io.adahit.server.config.ConfigLoader;
import io.adahit.server.config.ServerConfig;
import io.adahit.server.metrics.ServerMetrics;
import io.adahit.server.skills.Skill;
import io.adahit.server.skills.SkillLeases;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schedules inference: micro-batches turns across conversations and runs Rank calls between them.
 * The first waiting turn opens a batch, which fills with whatever else arrives within {@code
 * maxWaitMillis}, up to {@code maxBatch} turns, possibly of different skills; {@link TurnBatch}
 * answers it (router turns routed and their target skills leased ({@link SkillLeases}) until the
 * batch is scored, so a hot replace cannot free a routed-to skill's pool under it; contexts cut at
 * each skill's length; rows cut into forward passes by a token budget, each pass mixing skills),
 * and agents' {@link io.adahit.agents.ranker.BatchRanker} does the encoding and scoring against
 * each skill's {@link io.adahit.agents.ranker.CandidateIndex}: this class and {@link TurnBatch}
 * hold no tensors. The queue is bounded: a turn that finds it full fails at once with {@link
 * OverloadedException}, so latency cannot grow without limit.
 *
 * <p>All inference runs on the executor given to the constructor, never on a Netty or gRPC thread;
 * callers get a future. The executor runs {@code batching.workers} loops ({@link
 * ServerConfig.Batching#workersFor}: by default one per engine thread), each taking batches from
 * the one queue and running its forward passes on its share of the engine's intra-op threads
 * ({@link EngineThreads}), so that the cores are not oversubscribed and a turn that arrives while
 * one batch runs starts on another loop instead of waiting for it. {@link #rank} calls (explicit
 * candidates, as {@code eval_model --server} sends) wait in their own bounded queue; a loop runs
 * one at a time, cut into pieces ({@link RankWork}: the context, then {@code rank.chunkCandidates}
 * candidates per piece); chat turns come first: whenever a turn waits, a loop runs its batch before
 * its next piece. A Rank whose caller has gone (its future cancelled: the gRPC call was cancelled
 * or its deadline passed) stops at the next piece; one still waiting is dropped when a new call
 * finds the rank queue full.
 *
 * <pre>{@code
 * TurnScheduler s = new TurnScheduler(backbone, config.batching(), inferenceExecutor, metrics, leases);
 * s.submit(new TurnRequest(skill, "hi there", Set.of(), 10)).thenAccept(r -> send(r.text()));
 * }</pre>
 */
public final class TurnScheduler implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TurnScheduler.class);

  private record TurnJob(TurnRequest request, CompletableFuture<TurnResult> future) {}

  private final Backbone backbone;
  private final ServerConfig.Batching config;
  private final ServerMetrics metrics;
  private final SkillLeases leases;
  private final ServerConfig.Rank rankLimits;
  private final CandidateEmbeddings candidateEmbeddings;
  private final BlockingQueue<TurnJob> queue;
  private final BlockingQueue<RankWork> ranks;
  private final Semaphore work = new Semaphore(0); // released on every enqueue: wakes idle loops
  private final Set<RankWork> ranksRunning = ConcurrentHashMap.newKeySet(); // one per loop at most
  private final ExecutorService executor;
  private final List<Future<?>> loops = new ArrayList<>();
  private volatile boolean accepting = true;
  private volatile boolean acceptingRanks = true;

  /**
   * @param executor runs the {@link ServerConfig.Batching#workersFor} loops: give it at least that
   *     many threads
   * @param leases where a router skill's turns lease the skill they are routed to
   */
  public TurnScheduler(
      Backbone backbone,
      ServerConfig.Batching config,
      ExecutorService executor,
      ServerMetrics metrics,
      SkillLeases leases) {
    this(backbone, config, ConfigLoader.defaultsOnly().rank(), executor, metrics, leases);
  }

  /**
   * @param rankLimits what one {@link #rank} call may ask for, and its pieces' size
   */
  public TurnScheduler(
      Backbone backbone,
      ServerConfig.Batching config,
      ServerConfig.Rank rankLimits,
      ExecutorService executor,
      ServerMetrics metrics,
      SkillLeases leases) {
    this.rankLimits = rankLimits;
    this.candidateEmbeddings =
        new CandidateEmbeddings(rankLimits.candidateCacheMb(), metrics.registry());
    this.ranks = new ArrayBlockingQueue<>(rankLimits.queueCapacity());
    this.backbone = backbone;
    this.config = config;
    this.metrics = metrics;
    this.leases = leases;
    this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
    this.executor = executor;
    metrics.gauge("adahit.queue.depth", "turns waiting for the scheduler", queue::size);
    int engineThreads = EngineThreads.current();
    int workers = config.workersFor(engineThreads);
    int threads = config.threadsPerWorker(engineThreads);
    CountDownLatch threadsSet = new CountDownLatch(workers);
    for (int i = 0; i < workers; i++) {
      TurnBatch batches = new TurnBatch(backbone, leases, metrics);
      loops.add(executor.submit(() -> run(batches, workers > 1 ? threads : 0, threadsSet)));
    }
    if (workers > 1) {
      LOG.info("inference: {} loops, {} engine thread(s) each", workers, threads);
      // the rest of the process (pool encoding on a hot load) keeps every engine thread
      EngineThreads.restoreDefaultAfter(threadsSet, engineThreads);
    }
  }

  /** The inference loops running. */
  public int workers() {
    return loops.size();
  }

  /**
   * Queues a turn.
   *
   * @return a future failing with {@link OverloadedException} if the queue is full, or {@link
   *     ShuttingDownException} after {@link #close}
   */
  public CompletableFuture<TurnResult> submit(TurnRequest request) {
    CompletableFuture<TurnResult> f = new CompletableFuture<>();
    enqueue(new TurnJob(request, f), f);
    return f;
  }

  /**
   * Explicit candidates scored for a context.
   *
   * @param skill the skill that scored them (the routed one when a router skill was asked)
   * @param routing the router's decision, null unless a router skill was asked
   */
  public record Ranked(String skill, Ranking ranking, SkillRouter.Routing routing) {}

  /**
   * Scores explicit candidates for a context under a skill as {@link Ranker#rank} does (its
   * encoder, then agents' {@link io.adahit.agents.ranker.BatchRanker#rank}; equal up to float
   * rounding of batch padding) at the skill's lengths ({@link Skill#lengths()}: contexts and
   * candidates cut where the skill was trained, unless the config overrides them), so {@code
   * eval_model --server} measures what {@code eval_model} measures in process; a router skill first
   * routes the context (at its router's length) and scores at the lengths of the skill it picks.
   * Cancel the future when the caller has gone: the work stops at its next piece. The caller checks
   * the call against {@link #rankLimits()} first.
   *
   * @return a future failing with {@link OverloadedException} when {@code rank.queueCapacity} calls
   *     already wait, or {@link ShuttingDownException}
   */
  public CompletableFuture<Ranked> rank(Skill skill, String context, List<String> candidates) {
    CompletableFuture<Ranked> f = new CompletableFuture<>();
    if (candidates.isEmpty()) {
      f.completeExceptionally(new IllegalArgumentException("rank: no candidates to score"));
      return f;
    }
    RankWork w =
        new RankWork(
            skill,
            context,
            List.copyOf(candidates),
            f,
            rankLimits.chunkCandidates(),
            routed -> leases.acquire(() -> skill.target(routed)),
            candidateEmbeddings);
    if (!accepting || !acceptingRanks) {
      f.completeExceptionally(new ShuttingDownException());
    } else if (!ranks.offer(w) && (dropAbandonedRanks() == 0 || !ranks.offer(w))) {
      metrics.error("overloaded");
      f.completeExceptionally(
          new OverloadedException(
              "server overloaded: "
                  + rankLimits.queueCapacity()
                  + " Rank calls already wait (rank.queueCapacity); try again shortly"));
    } else {
      work.release();
    }
    return f;
  }

  /**
   * Drops the waiting Rank calls whose callers have gone (future done: cancelled, deadline passed),
   * so that abandoned calls never hold the rank queue's places while a chat backlog keeps the loop
   * from reaching them. They hold no lease yet (a call takes its leases when it starts).
   *
   * @return how many were dropped
   */
  private int dropAbandonedRanks() {
    int[] dropped = {0};
    ranks.removeIf(
        w -> {
          if (w.future().isDone()) {
            metrics.rankAbandoned();
            dropped[0]++;
            return true;
          }
          return false;
        });
    return dropped[0];
  }

  private void enqueue(TurnJob job, CompletableFuture<?> f) {
    if (!accepting) {
      f.completeExceptionally(new ShuttingDownException());
    } else if (!queue.offer(job)) {
      metrics.error("overloaded");
      f.completeExceptionally(new OverloadedException(config.queueCapacity()));
    } else {
      work.release();
    }
  }

  /** Turns waiting. */
  public int queueDepth() {
    return queue.size();
  }

  /** What one {@link #rank} call may ask for ({@code rank.*}). */
  public ServerConfig.Rank rankLimits() {
    return rankLimits;
  }

  /** Rank calls waiting (those running not included). */
  public int rankQueueDepth() {
    return ranks.size();
  }

  /**
   * One loop: a waiting turn opens a batch (chat turns first); else this loop's Rank call does its
   * next piece (or it starts the next waiting call); else it sleeps until work is queued.
   *
   * @param batches this loop's own (not thread-safe)
   * @param engineThreads intra-op threads for this loop's passes; 0 keeps the engine's
   * @param threadsSet counted down once this loop's threads are set
   */
  private void run(TurnBatch batches, int engineThreads, CountDownLatch threadsSet) {
    try {
      if (engineThreads > 0) {
        EngineThreads.useOnThisThread(engineThreads);
      }
    } finally {
      threadsSet.countDown();
    }
    RankWork rankRunning = null;
    while (accepting || !queue.isEmpty() || !ranks.isEmpty() || rankRunning != null) {
      try {
        TurnJob first = queue.poll();
        if (first != null) {
          List<TurnJob> batch = new ArrayList<>();
          batch.add(first);
          long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.maxWaitMillis());
          while (batch.size() < config.maxBatch()) {
            long left = deadline - System.nanoTime();
            TurnJob next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
            if (next == null) {
              break;
            }
            batch.add(next);
          }
          runBatch(batches, batch);
          continue;
        }
        if (rankRunning == null) {
          rankRunning = ranks.poll();
          if (rankRunning != null) {
            ranksRunning.add(rankRunning);
          }
        }
        if (rankRunning != null) {
          if (rankRunning.step(backbone, metrics)) {
            ranksRunning.remove(rankRunning);
            rankRunning = null;
          }
          continue;
        }
        if (work.tryAcquire(50, TimeUnit.MILLISECONDS)) {
          work.drainPermits(); // the queues themselves say what is waiting
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException | Error e) {
        LOG.error("scheduler loop error (continuing)", e);
      }
    }
    failRemaining(new ShuttingDownException());
  }

  private void runBatch(TurnBatch batches, List<TurnJob> jobs) {
    List<TurnJob> live = new ArrayList<>(jobs.size());
    for (TurnJob j : jobs) {
      if (!j.future().isDone()) { // a cancelled caller (gRPC deadline) costs nothing
        live.add(j);
      }
    }
    if (live.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    try {
      List<TurnResult> results = batches.answer(live.stream().map(TurnJob::request).toList());
      metrics.batch(live.size(), System.nanoTime() - start);
      for (int i = 0; i < live.size(); i++) {
        live.get(i).future().complete(results.get(i));
      }
    } catch (RuntimeException e) {
      LOG.error("batch of {} turns failed", live.size(), e);
      for (TurnJob j : live) {
        j.future().completeExceptionally(e);
      }
    }
  }

  /**
   * Padded tokens one forward pass may hold (rows x longest row); {@link TurnBatch} cuts passes at
   * it.
   */
  static final int TOKENS_PER_PASS = 4096;

  private void failRemaining(RuntimeException why) {
    TurnJob j;
    while ((j = queue.poll()) != null) {
      j.future().completeExceptionally(why);
    }
    RankWork r;
    while ((r = ranks.poll()) != null) {
      r.fail(why);
    }
    ranksRunning.forEach(w -> w.fail(why));
  }

  /**
   * Shutdown, first step: Rank calls are refused from now on, and those queued or running fail with
   * {@link ShuttingDownException} (their callers may retry elsewhere; a running one stops after its
   * current piece), so the turns accepted before the shutdown do not wait behind them.
   *
   * @return the Rank jobs failed
   */
  public int stopRanks() {
    acceptingRanks = false;
    int n = 0;
    RankWork r;
    while ((r = ranks.poll()) != null) {
      r.fail(new ShuttingDownException());
      n++;
    }
    for (RankWork running : ranksRunning) { // its next piece sees the failed future and stops
      running.fail(new ShuttingDownException());
      n++;
    }
    return n;
  }

  /**
   * Stops taking work and answers every turn already queued, waiting at most {@code grace}; turns
   * still waiting after that fail with {@link ShuttingDownException}.
   *
   * @return true if the queue drained in time
   */
  public boolean drain(Duration grace) {
    accepting = false;
    long deadline = System.nanoTime() + grace.toNanos();
    try {
      for (Future<?> loop : loops) {
        loop.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
      return true;
    } catch (TimeoutException e) {
      LOG.warn("scheduler did not drain within {}; {} turns dropped", grace, queue.size());
      loops.forEach(l -> l.cancel(true));
      failRemaining(new ShuttingDownException());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      LOG.error("scheduler loop failed", e.getCause());
      return false;
    }
  }

  /** {@link #drain} with no grace beyond the turns already queued, then stops the executor. */
  @Override
  public void close() {
    drain(Duration.ofSeconds(30));
    executor.shutdown();
  }
}
