package io.adahit.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.agents.backbone.Backbone;
import io.adahit.server.admin.AdminAuth;
import io.adahit.server.admin.AdminAuthInterceptor;
import io.adahit.server.admin.AdminGrpcService;
import io.adahit.server.admin.AdminHttpHandler;
import io.adahit.server.admin.AdminOperations;
import io.adahit.server.chat.ChatService;
import io.adahit.server.chat.ConversationLog;
import io.adahit.server.config.ServerConfig;
import io.adahit.server.events.EventDatabase;
import io.adahit.server.events.EventStore;
import io.adahit.server.events.ReplicaName;
import io.adahit.server.experiments.ExperimentMetrics;
import io.adahit.server.experiments.ExperimentService;
import io.adahit.server.grpc.GrpcServer;
import io.adahit.server.inference.TurnScheduler;
import io.adahit.server.metrics.BuildInfo;
import io.adahit.server.metrics.ProcessMetrics;
import io.adahit.server.metrics.PrometheusScrape;
import io.adahit.server.metrics.ServerMetrics;
import io.adahit.server.metrics.SkillInfoMetrics;
import io.adahit.server.skills.AdapterManager;
import io.adahit.server.skills.LoadProgress;
import io.adahit.server.skills.SkillCatalog;
import io.adahit.server.skills.SkillLeases;
import io.adahit.server.web.WebServer;
import io.grpc.ServerInterceptors;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole server, assembled from its parts with constructor injection: the listeners start first
 * (so {@code /health} answers "starting"), then the backbone and skills load, then it is ready.
 * {@link #close} shuts down gracefully within {@code shutdown.graceSeconds}: stop accepting, answer
 * the turns accepted, log the open episodes, close connections and stores, free the model.
 *
 * <pre>{@code
 * try (DialogueServer server = new DialogueServer(ConfigLoader.load(null, Map.of()), RandomGenerator.getDefault())) {
 *   server.start(LoadProgress.bar(System.err));
 *   server.awaitTermination();
 * }
 * }</pre>
 */
public final class DialogueServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DialogueServer.class);

  private final ServerConfig config;
  private final RandomGenerator random;
  private final ObjectMapper json = new ObjectMapper();
  private final PrometheusMeterRegistry prometheus = PrometheusScrape.newRegistry();
  private final ServerMetrics metrics = new ServerMetrics(prometheus);
  private final ServerState state = new ServerState();
  private final WebServer web;
  private final CountDownLatch terminated = new CountDownLatch(1);
  private final AtomicBoolean closing = new AtomicBoolean();
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
  private GrpcServer grpc;
  private ExecutorService grpcExecutor;
  private ExecutorService inferenceExecutor;
  private ScheduledExecutorService housekeeping;
  private Backbone backbone;
  private SkillCatalog skills;
  private TurnScheduler scheduler;
  private ConversationLog log;
  private ChatService chat;
  private final AdminAuth adminAuth;
  private final ThreadPoolExecutor adminExecutor;
  private volatile AdminOperations admin;
  private EventStore events;
  private SkillLeases leases;
  private AdapterManager adapters;
  private ExperimentService experiments;
  private io.adahit.server.chat.SharedConversations sharedConversations;
  private io.adahit.server.admin.DesiredState desired;

  /**
   * @param random draws bot personas
   */
  public DialogueServer(ServerConfig config, RandomGenerator random) {
    this.config = config;
    this.random = random;
    new JvmMemoryMetrics().bindTo(prometheus);
    gcMetrics.bindTo(prometheus);
    new JvmThreadMetrics().bindTo(prometheus);
    new ClassLoaderMetrics().bindTo(prometheus);
    new ProcessorMetrics().bindTo(prometheus);
    new UptimeMetrics().bindTo(prometheus);
    new ProcessMetrics().bindTo(prometheus);
    new BuildInfo().bindTo(prometheus);
    try {
      this.adminAuth = AdminAuth.of(config.admin());
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "config: admin.tokenFile "
              + config.admin().tokenFile()
              + " cannot be read: "
              + e.getMessage(),
          e);
    }
    // admin work (loading adapters, encoding pools, database reads) runs here, one call at a time
    this.adminExecutor =
        new ThreadPoolExecutor(
            1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(64), named("adahit-admin"));
    this.web =
        new WebServer(
            config.http(),
            state,
            metrics,
            prometheus,
            json,
            new AdminHttpHandler(json, adminAuth, () -> admin, adminExecutor));
  }

  /**
   * A bind failure as one line naming the address, the port and the flag that sets it; null for any
   * other failure.
   */
  private RuntimeException portInUse(Throwable e, String listener, int port, String flag) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      // Netty's NIO transport throws BindException; gRPC's shaded epoll transport an IOException
      // saying so
      if (t instanceof java.net.BindException || m.contains("Address already in use")) {
        return new java.io.UncheckedIOException(
            listener
                + " port "
                + port
                + " on "
                + config.http().host()
                + " is already in use ("
                + m
                + "; another adahit serve?): free it or choose another with "
                + flag,
            t instanceof IOException io ? io : new IOException(t));
      }
    }
    return null;
  }

  /** Starts the listeners, loads the backbone and skills, and becomes ready. */
  public void start(LoadProgress progress) throws IOException, InterruptedException {
    try {
      try {
        web.start();
      } catch (Exception e) { // Netty rethrows the BindException undeclared
        RuntimeException inUse =
            portInUse(e, "HTTP/WebSocket", config.http().port(), "--port (http.port)");
        if (inUse != null) {
          throw inUse;
        }
        if (e instanceof InterruptedException ie) {
          throw ie;
        }
        if (e instanceof RuntimeException re) {
          throw re;
        }
        throw new IOException("HTTP/WebSocket listener did not start: " + e, e);
      }
      if (config.grpc().enabled()) {
        grpcExecutor = Executors.newFixedThreadPool(4, named("adahit-grpc"));
        grpc =
            new GrpcServer(
                config.http().host(),
                config.grpc().port(),
                state,
                grpcExecutor,
                prometheus,
                ServerInterceptors.intercept(
                    new AdminGrpcService(() -> admin, adminExecutor),
                    new AdminAuthInterceptor(adminAuth)));
        try {
          grpc.start();
        } catch (IOException e) {
          RuntimeException inUse =
              portInUse(e, "gRPC", config.grpc().port(), "--grpc-port (grpc.port)");
          if (inUse != null) {
            throw inUse;
          }
          throw e;
        }
      }
      LOG.info(
          "listening on http://{}:{}/ (WebSocket /websocket){}; loading the model",
          config.http().host(),
          web.port(),
          grpc == null ? "" : ", gRPC " + config.http().host() + ":" + grpc.port());
      StartupProgress startup = new StartupProgress(state);
      startup.stage("loading the backbone");
      backbone = Backbone.open(config.skills().backbone());
      LOG.info(
          "backbone {} ({}); loading the skills in {}, candidate cache {}",
          backbone.name(),
          backbone.fingerprint(),
          config.skills().dir().toAbsolutePath().normalize(),
          config.skills().cacheDir().toAbsolutePath().normalize());
      startup.stage("loading skill adapters");
      skills =
          SkillCatalog.load(
              backbone,
              config.skills(),
              config.agent().lengthOverrides(),
              LoadProgress.both(progress, startup));
      SkillInfoMetrics skillInfo = new SkillInfoMetrics(prometheus);
      skills.onChange(
          served ->
              skillInfo.update(
                  served.stream()
                      .map(
                          s ->
                              new SkillInfoMetrics.Row(
                                  s.name(),
                                  s.kind(),
                                  s.weightsFingerprint().isEmpty()
                                      ? "none"
                                      : s.weightsFingerprint()))
                      .toList()));
      housekeeping = Executors.newSingleThreadScheduledExecutor(named("adahit-housekeeping"));
      leases =
          new SkillLeases(Duration.ofSeconds(config.admin().retireGraceSeconds()), housekeeping);
      // one thread per loop, as many as the scheduler starts (batching.workers)
      inferenceExecutor = Executors.newCachedThreadPool(named("adahit-inference"));
      scheduler =
          new TurnScheduler(
              backbone, config.batching(), config.rank(), inferenceExecutor, metrics, leases);
      if (config.logs().dir() != null) {
        log = ConversationLog.open(json, config.logs().dir(), logOpt());
      }
      adapters = new AdapterManager(backbone, skills, config.skills(), leases);
      events = openEvents();
      experiments =
          new ExperimentService(adapters, events, new ExperimentMetrics(prometheus), json);
      try {
        experiments.start(config.experiments());
      } catch (SQLException e) {
        throw new IOException(
            "event store " + events.database().redacted() + ": " + e.getMessage(), e);
      }
      sharedConversations = openSharedConversations();
      chat =
          new ChatService(
              skills, scheduler, config, log, metrics, random, experiments, sharedConversations);
      desired =
          events == null
              ? null
              : new io.adahit.server.admin.DesiredState(
                  events.database(), replicaName(), adapters, experiments, json, prometheus);
      admin = new AdminOperations(adapters, experiments, desired);
      if (desired != null) {
        desired
            .converge(); // what other replicas (or this one before a restart) changed through the
        // admin API
        int sync = config.admin().syncSeconds();
        if (sync > 0) {
          housekeeping.scheduleWithFixedDelay(
              () -> desired.convergeOn(adminExecutor), sync, sync, TimeUnit.SECONDS);
        }
      }
      Duration idle = Duration.ofSeconds(config.conversations().idleTimeoutSeconds());
      long every =
          Math.max(1, Math.min(60, idle.toSeconds() / 4)); // expired at most a quarter late
      housekeeping.scheduleWithFixedDelay(
          () -> chat.closeIdle(idle), every, every, TimeUnit.SECONDS);
      state.ready(chat);
      if (grpc != null) {
        grpc.serving();
      }
      LOG.info(
          "ready: skills {} (default {}), lengths {}, conversation log {}",
          skills.names(),
          skills.get(skills.defaultSkill()).describe(),
          skills.lengths(),
          log == null ? "off" : log.file());
    } catch (IOException | RuntimeException | InterruptedException e) {
      LOG.error("start failed: {}", e.toString());
      state.failed(e.getMessage());
      close();
      throw e;
    }
  }

  /** The A/B event store of the config, or null when events.url is null. */
  private EventStore openEvents() throws IOException {
    if (config.events().url() == null) {
      LOG.info(
          "no event store (events.url is null): experiments assign and count in metrics; feedback is refused");
      return null;
    }
    EventDatabase db = EventDatabase.of(config.events());
    try {
      return EventStore.open(
          db, replicaName(), Clock.systemUTC()); // it logs its database and replica
    } catch (SQLException e) {
      throw new IOException(
          "event store " + db.redacted() + " cannot be opened: " + e.getMessage(), e);
    }
  }

  /**
   * This replica's name ({@link ReplicaName}: events.replica, else $HOSTNAME, else the host name).
   */
  private String replicaName() {
    return ReplicaName.resolve(config.events().replica(), System.getenv());
  }

  /** The shared store of gRPC Act conversations (conversations.shared), or null. */
  private io.adahit.server.chat.SharedConversations openSharedConversations() throws IOException {
    if (!config.conversations().shared()) {
      return null;
    }
    EventDatabase db = events.database();
    if (db.isSqlite()) {
      LOG.warn(
          "conversations.shared with a SQLite event store ({}): conversations are shared only by processes on"
              + " this host that open the same file; several replicas need events.url on PostgreSQL",
          db.redacted());
    }
    try {
      io.adahit.server.chat.SharedConversations s =
          io.adahit.server.chat.SharedConversations.open(
              db, replicaName(), json, Clock.systemUTC(), prometheus);
      LOG.info(
          "gRPC Act conversations are shared through {} (any replica continues any conversation)",
          db.redacted());
      return s;
    } catch (SQLException e) {
      throw new IOException(
          "shared conversations: " + db.redacted() + " cannot be opened: " + e.getMessage(), e);
    }
  }

  /** The desired state of admin changes (null without an event store). */
  public io.adahit.server.admin.DesiredState desiredState() {
    return desired;
  }

  /** The run-time adapter manager (null until ready). */
  public AdapterManager adapters() {
    return adapters;
  }

  /** The experiments (null until ready). */
  public ExperimentService experiments() {
    return experiments;
  }

  /** The event store (null until ready, or when events.url is null). */
  public EventStore events() {
    return events;
  }

  private Map<String, Object> logOpt() {
    Map<String, Object> opt = new LinkedHashMap<>();
    opt.put("backbone", backbone.name());
    opt.put("backbone_fingerprint", backbone.fingerprint());
    opt.put("skills", skills.summary());
    opt.put("default_skill", skills.defaultSkill());
    opt.put("history_size", config.agent().historySize());
    opt.put("delimiter", config.agent().delimiter());
    opt.put("repeat_blocking_heuristic", config.agent().repeatBlocking());
    opt.put("text_truncate", config.agent().textTruncate()); // null: each skill at its own lengths
    opt.put("label_truncate", config.agent().labelTruncate());
    opt.put("lengths", skills.lengths()); // what each skill is served at
    opt.put(
        "batching",
        Map.of(
            "max_batch",
            config.batching().maxBatch(),
            "max_wait_ms",
            config.batching().maxWaitMillis()));
    return opt;
  }

  private static java.util.concurrent.ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  public ServerState state() {
    return state;
  }

  public int httpPort() {
    return web.port();
  }

  /** The gRPC port, or -1 when gRPC is disabled. */
  public int grpcPort() {
    return grpc == null ? -1 : grpc.port();
  }

  public PrometheusMeterRegistry registry() {
    return prometheus;
  }

  /** The chat service (null until ready). */
  public ChatService chat() {
    return chat;
  }

  /** The conversation log, or null when logs are off. */
  public ConversationLog conversationLog() {
    return log;
  }

  /** Blocks until {@link #close} has finished. */
  public void awaitTermination() throws InterruptedException {
    terminated.await();
  }

  /**
   * Graceful shutdown, all within {@code shutdown.graceSeconds}: health turns unready and no
   * connection, call, conversation or turn is accepted (queued Rank jobs fail UNAVAILABLE); every
   * turn accepted before is answered, turns queued behind another of their conversation included,
   * unless the grace runs out first (then they fail "shutting down"); open episodes are logged;
   * sockets get 1001; gRPC calls still running are cancelled; the log and the event store are
   * closed; the model is freed unless inference or admin work is still running. A step that fails
   * is logged and the next one still runs. Idempotent.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    long began = System.nanoTime();
    Duration grace = Duration.ofSeconds(config.shutdown().graceSeconds());
    ShutdownSteps steps = new ShutdownSteps(grace, LOG);
    // what the steps after the drain may need: closing sockets, calls and stores
    Duration tail = Duration.ofMillis(Math.min(3000, grace.toMillis() / 4));
    state.stopping();
    LOG.info("shutting down (grace {} s)", grace.toSeconds());
    try {
      steps.run("stop accepting connections", web::stopAccepting);
      if (grpc != null) {
        steps.run("stop accepting gRPC calls", grpc::shutdown);
      }
      if (chat != null) {
        steps.run("refuse new conversations and turns", chat::stopAccepting);
      }
      if (scheduler != null) {
        steps.run(
            "refuse Rank jobs",
            () -> {
              int refused = scheduler.stopRanks();
              if (refused > 0) {
                LOG.info("shutdown: {} queued Rank calls refused (UNAVAILABLE)", refused);
              }
            });
      }
      if (chat != null) {
        steps.run("answer accepted turns", () -> chat.awaitIdle(steps.deadline(tail)));
      }
      if (scheduler != null) {
        steps.run("drain the scheduler", () -> scheduler.drain(steps.remaining(tail)));
      }
      if (chat != null) {
        steps.run("log open episodes", () -> chat.closeAll(steps.atMost(Duration.ofSeconds(2))));
      }
      steps.run(
          "close WebSocket connections", () -> web.close(steps.atMost(Duration.ofSeconds(2))));
      if (grpc != null) {
        steps.run("stop gRPC", () -> grpc.stop(steps.atMost(Duration.ofSeconds(2))));
      }
      if (log != null) {
        steps.run("close the conversation log", log::close);
      }
      if (sharedConversations != null) { // after the turns were answered and saved
        steps.run("close the shared conversation store", sharedConversations::close);
      }
      if (experiments != null) {
        steps.run("stop experiments", experiments::close);
      }
      if (events != null) { // after the conversations closed: their last episodes are recorded
        steps.run("close the event store", () -> events.close(steps.remaining()));
      }
      shutdown(housekeeping);
      shutdown(grpcExecutor);
      shutdown(inferenceExecutor);
      shutdown(adminExecutor);
      // an admin call (a replace encoding a pool) ignores the interrupt: wait for it before freeing
      // what it uses; inference and housekeeping also touch skills
      boolean idle =
          awaitTermination(steps.remaining(), adminExecutor, inferenceExecutor, housekeeping);
      if (!idle) {
        LOG.warn(
            "admin or inference work still running when the shutdown grace ({} s) ran out: the skills and the"
                + " model are left to the process exit rather than freed under it",
            grace.toSeconds());
      } else {
        steps.run("free the model", this::freeModel);
      }
      gcMetrics.close();
      LOG.info(
          "stopped in {} ms{}",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began),
          steps.failed() == 0 ? "" : " (" + steps.failed() + " steps failed, logged above)");
    } finally {
      terminated.countDown();
    }
  }

  private void freeModel() {
    if (leases != null) {
      leases.close(); // frees retired adapters and variants
    }
    if (skills != null) {
      skills.close();
    }
    if (adapters != null) {
      adapters.close(); // adapters loaded at run time and still served
    }
    if (backbone != null) {
      backbone.close();
    }
  }

  private static void shutdown(ExecutorService e) {
    if (e != null) {
      e.shutdownNow();
    }
  }

  /** Waits, all together at most {@code limit}, for the executors to finish; true if they did. */
  private static boolean awaitTermination(Duration limit, ExecutorService... executors) {
    long deadline = System.nanoTime() + limit.toNanos();
    try {
      for (ExecutorService e : executors) {
        if (e != null
            && !e.awaitTermination(
                Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          return false;
        }
      }
      return true;
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Where admin calls run, one at a time (tests). */
  ExecutorService adminExecutor() {
    return adminExecutor;
  }
}
