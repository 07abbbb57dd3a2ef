package io.adahit.server.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.EncodeOptions;
import io.adahit.agents.backbone.TokenBatch;
import io.adahit.agents.ranker.MixedSkillEncoder;
import io.adahit.agents.ranker.Ranker;
import io.adahit.agents.ranker.RankerOptions;
import io.adahit.agents.ranker.Ranking;
import io.adahit.agents.routing.SkillRouter;
import io.adahit.server.config.ConfigLoader;
import io.adahit.server.config.ServerConfig;
import io.adahit.server.metrics.ServerMetrics;
import io.adahit.server.skills.Skill;
import io.adahit.server.skills.SkillLeases;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Micro-batches turns across conversations: the first waiting turn opens a batch, which fills with
 * whatever else arrives within {@code maxWaitMillis}, up to {@code maxBatch} turns, possibly of
 * different skills. Each context is cut at the length its skill ranks at ({@link Skill#lengths()},
 * so skills trained at different lengths share a batch); the rows, sorted by length, run in as few
 * backbone passes as a token budget allows (usually one), each pass mixing skills ({@link
 * MixedSkillEncoder}); each skill's rows are then scored against that skill's pool in one matrix
 * product. Turns of a router skill ({@code auto}) are routed first (one zero-shot pass over their
 * contexts) and then ride in the batch as turns of the skill they were routed to, leased ({@link
 * SkillLeases}) until the batch is scored, so a hot replace cannot free a routed-to skill's pool
 * under it (the turn's caller leases the skill it asked for; only the scheduler knows where a
 * router sends it). The queue is bounded: a turn that finds it full fails at once with {@link
 * OverloadedException}, so latency cannot grow without limit.
 *
 * <p>All inference runs on the executor given to the constructor (one loop, so the engine's own
 * threads are not oversubscribed), never on a Netty or gRPC thread; callers get a future.
 * {@link #rank} calls (explicit candidates, as {@code eval_model --server} sends) wait in their
 * own bounded queue and run one at a time, cut into pieces ({@link RankWork}: the context, then
 * {@code rank.chunkCandidates} candidates per piece); chat turns come first: whenever a turn
 * waits, its batch runs before the next piece. A Rank whose caller has gone (its future
 * cancelled: the gRPC call was cancelled or its deadline passed) stops at the next piece.
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
  private final MixedSkillEncoder encoder;
  private final ServerConfig.Batching config;
  private final ServerMetrics metrics;
  private final SkillLeases leases;
  /** How contexts are encoded (truncation keeps the end, L2-normalised); the length is each skill's. */
  private static final EncodeOptions CONTEXT = RankerOptions.defaults().context();
  private final ServerConfig.Rank rankLimits;
  private final BlockingQueue<TurnJob> queue;
  private final BlockingQueue<RankWork> ranks;
  private final Semaphore work = new Semaphore(0);   // released on every enqueue: wakes the idle loop
  private volatile RankWork rankRunning;   // set by the loop thread only
  private final ExecutorService executor;
  private final Future<?> loop;
  private volatile boolean accepting = true;
  private volatile boolean acceptingRanks = true;

  /**
   * @param leases where a router skill's turns lease the skill they are routed to
   */
  public TurnScheduler(Backbone backbone, ServerConfig.Batching config, ExecutorService executor, ServerMetrics metrics,
      SkillLeases leases) {
    this(backbone, config, ConfigLoader.defaultsOnly().rank(), executor, metrics, leases);
  }

  /** @param rankLimits what one {@link #rank} call may ask for, and its pieces' size */
  public TurnScheduler(Backbone backbone, ServerConfig.Batching config, ServerConfig.Rank rankLimits,
      ExecutorService executor, ServerMetrics metrics, SkillLeases leases) {
    this.rankLimits = rankLimits;
    this.ranks = new ArrayBlockingQueue<>(rankLimits.queueCapacity());
    this.backbone = backbone;
    this.encoder = new MixedSkillEncoder(backbone);
    this.config = config;
    this.metrics = metrics;
    this.leases = leases;
    this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
    this.executor = executor;
    metrics.gauge("adahit.queue.depth", "turns waiting for the scheduler", queue::size);
    this.loop = executor.submit(this::run);
  }

  /**
   * Queues a turn.
   *
   * @return a future failing with {@link OverloadedException} if the queue is full, or
   *     {@link ShuttingDownException} after {@link #close}
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
   * Scores explicit candidates for a context under a skill, exactly as {@link Ranker#rank} does
   * at the skill's lengths ({@link Skill#lengths()}: contexts and candidates cut where the skill
   * was trained, unless the config overrides them), so {@code eval_model --server} measures what
   * {@code eval_model} measures in process; a router skill first routes the context (at its
   * router's length) and scores at the lengths of the skill it picks. Cancel the future when the
   * caller has gone: the work stops at its next piece. The caller checks the call against
   * {@link #rankLimits()} first.
   *
   * @return a future failing with {@link OverloadedException} when {@code rank.queueCapacity}
   *     calls already wait, or {@link ShuttingDownException}
   */
  public CompletableFuture<Ranked> rank(Skill skill, String context, List<String> candidates) {
    CompletableFuture<Ranked> f = new CompletableFuture<>();
    if (candidates.isEmpty()) {
      f.completeExceptionally(new IllegalArgumentException("rank: no candidates to score"));
      return f;
    }
    RankWork w = new RankWork(skill, context, List.copyOf(candidates), f, rankLimits.chunkCandidates(),
        routed -> leases.acquire(() -> skill.target(routed)));
    if (!accepting || !acceptingRanks) {
      f.completeExceptionally(new ShuttingDownException());
    } else if (!ranks.offer(w)) {
      metrics.error("overloaded");
      f.completeExceptionally(new OverloadedException("server overloaded: " + rankLimits.queueCapacity()
          + " Rank calls already wait (rank.queueCapacity); try again shortly"));
    } else {
      work.release();
    }
    return f;
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

  /** Rank calls waiting (the one running not included). */
  public int rankQueueDepth() {
    return ranks.size();
  }

  /**
   * The loop: a waiting turn opens a batch (chat turns first); else the running Rank call does its
   * next piece (or the next waiting call starts); else it sleeps until work is queued.
   */
  private void run() {
    Thread.currentThread().setName("adahit-inference");
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
          runBatch(batch);
          continue;
        }
        if (rankRunning == null) {
          rankRunning = ranks.poll();
        }
        if (rankRunning != null) {
          if (rankRunning.step(backbone, metrics)) {
            rankRunning = null;
          }
          continue;
        }
        if (work.tryAcquire(50, TimeUnit.MILLISECONDS)) {
          work.drainPermits();   // the queues themselves say what is waiting
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

  private void runBatch(List<TurnJob> jobs) {
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
      List<TurnResult> results = encodeAndScore(live);
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
   * Encodes and scores a batch: rows sorted by length and cut into passes of at most
   * {@link #TOKENS_PER_PASS} padded tokens (a short turn is not padded to the longest history of
   * the batch), each pass one backbone run over its skill segments.
   */
  private List<TurnResult> encodeAndScore(List<TurnJob> jobs) {
    List<SkillLeases.Lease> held = new ArrayList<>();
    try {
      return encodeAndScore(jobs, held);
    } finally {
      held.forEach(SkillLeases.Lease::close);   // routed-to skills: released once scored, or on failure
    }
  }

  private List<TurnResult> encodeAndScore(List<TurnJob> jobs, List<SkillLeases.Lease> held) {
    List<String> contexts = jobs.stream().map(j -> j.request().context()).toList();
    SkillRouter.Routing[] routings = new SkillRouter.Routing[jobs.size()];
    Skill[] skills = route(jobs.stream().map(j -> j.request().skill()).toList(), contexts, routings, held);
    long[][] rows = tokenize(contexts, skills);
    Integer[] order = new Integer[jobs.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, Comparator.comparingInt((Integer i) -> rows[i].length));
    TurnResult[] out = new TurnResult[jobs.size()];
    int start = 0;
    while (start < order.length) {
      int end = start + 1;
      while (end < order.length && (long) (end + 1 - start) * rows[order[end]].length <= TOKENS_PER_PASS) {
        end++;
      }
      List<Integer> pass = new ArrayList<>(List.of(order).subList(start, end));
      // group rows by Skill object, not name: experiment variants (and a skill's old and new adapter
      // during a hot replace) share a name but not adapters or pools
      pass.sort(Comparator.comparing((Integer i) -> skills[i].name())
          .thenComparingInt(i -> System.identityHashCode(skills[i])));
      encodePass(jobs, skills, routings, rows, pass, out);
      start = end;
    }
    return List.of(out);
  }

  /**
   * Each context's word pieces, cut at the length of the skill that answers it (the latest kept):
   * a batch may mix skills trained at different lengths.
   */
  private long[][] tokenize(List<String> contexts, Skill[] skills) {
    long[][] rows = new long[contexts.size()][];
    java.util.Map<Integer, List<Integer>> byLength = new java.util.TreeMap<>();
    for (int i = 0; i < skills.length; i++) {
      int len = Math.min(skills[i].lengths().text(), backbone.config().maxPositions());
      byLength.computeIfAbsent(len, k -> new ArrayList<>()).add(i);
    }
    byLength.forEach((len, idx) -> {
      long[][] part = backbone.tokenizer().encodeRows(idx.stream().map(contexts::get).toList(), len, CONTEXT.truncation());
      for (int k = 0; k < idx.size(); k++) {
        rows[idx.get(k)] = part[k];
      }
    });
    return rows;
  }

  /** Padded tokens one forward pass may hold (rows x longest row). */
  static final int TOKENS_PER_PASS = 4096;

  /**
   * The skill that answers each turn: its own, or for a router skill's turn the skill its router
   * picks from the context ({@code routings[i]} records that decision), leased into {@code held}.
   * One router pass per router.
   */
  private Skill[] route(List<Skill> requested, List<String> contexts, SkillRouter.Routing[] routings,
      List<SkillLeases.Lease> held) {
    Skill[] out = requested.toArray(new Skill[0]);
    java.util.Map<String, List<Integer>> byRouter = new java.util.TreeMap<>();
    for (int i = 0; i < out.length; i++) {
      if (out[i].isRouter()) {
        byRouter.computeIfAbsent(out[i].name(), k -> new ArrayList<>()).add(i);
      }
    }
    for (List<Integer> rows : byRouter.values()) {
      Skill routerSkill = out[rows.get(0)];
      List<SkillRouter.Routing> r = routerSkill.router().route(rows.stream().map(contexts::get).toList());
      for (int k = 0; k < rows.size(); k++) {
        int i = rows.get(k);
        routings[i] = r.get(k);
        out[i] = leaseTarget(routerSkill, r.get(k).skill(), held);
      }
    }
    return out;
  }

  /** Leases the skill {@code router} names {@code routed} now, adding the lease to {@code held}. */
  private Skill leaseTarget(Skill router, String routed, List<SkillLeases.Lease> held) {
    SkillLeases.Lease lease = leases.acquire(() -> router.target(routed));
    held.add(lease);
    return lease.skill();
  }

  private void encodePass(List<TurnJob> jobs, Skill[] skills, SkillRouter.Routing[] routings, long[][] rows,
      List<Integer> pass, TurnResult[] out) {
    long[][] passRows = new long[pass.size()][];
    for (int r = 0; r < passRows.length; r++) {
      passRows[r] = rows[pass.get(r)];
    }
    TokenBatch batch = backbone.tokenizer().pad(passRows);
    List<MixedSkillEncoder.Segment> segments = new ArrayList<>();
    List<Skill> segmentSkills = new ArrayList<>();
    int from = 0;
    for (int r = 1; r <= pass.size(); r++) {
      Skill s = skills[pass.get(from)];
      if (r == pass.size() || skills[pass.get(r)] != s) {
        segments.add(new MixedSkillEncoder.Segment(from, r, s.adapters()));
        segmentSkills.add(s);
        from = r;
      }
    }
    try (NDManager m = backbone.newManager()) {
      NDArray emb = encoder.encode(m, batch, segments, CONTEXT.normalize());
      for (int g = 0; g < segments.size(); g++) {
        MixedSkillEncoder.Segment seg = segments.get(g);
        Skill skill = segmentSkills.get(g);
        long t0 = System.nanoTime();
        NDArray ctx = emb.get(new NDIndex("{}:{}", seg.from(), seg.to()));
        float[] scores = ctx.matMul(skill.candidates().matrix()).toFloatArray();
        int n = skill.candidates().size();
        for (int r = seg.from(); r < seg.to(); r++) {
          TurnRequest req = jobs.get(pass.get(r)).request();
          TopCandidates.Top top = TopCandidates.select(scores, (r - seg.from()) * n,
              skill.candidates().texts(), req.topK(), req.blocked());
          out[pass.get(r)] = new TurnResult(skill.name(), top.texts(), top.scores(), jobs.size(), routings[pass.get(r)]);
        }
        metrics.scoring(skill.name(), System.nanoTime() - t0);
      }
    }
  }

  private void failRemaining(RuntimeException why) {
    TurnJob j;
    while ((j = queue.poll()) != null) {
      j.future().completeExceptionally(why);
    }
    RankWork r;
    while ((r = ranks.poll()) != null) {
      r.fail(why);
    }
    r = rankRunning;
    if (r != null) {
      r.fail(why);
    }
  }

  /**
   * Shutdown, first step: Rank calls are refused from now on, and those queued or running fail
   * with {@link ShuttingDownException} (their callers may retry elsewhere; a running one stops
   * after its current piece), so the turns accepted before the shutdown do not wait behind them.
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
    RankWork running = rankRunning;   // its next piece sees the failed future and stops
    if (running != null) {
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
    try {
      loop.get(grace.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      LOG.warn("scheduler did not drain within {}; {} turns dropped", grace, queue.size());
      loop.cancel(true);
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
