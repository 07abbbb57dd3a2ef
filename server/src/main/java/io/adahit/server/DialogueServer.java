package io.adahit.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.agents.backbone.Backbone;
import io.adahit.server.chat.ChatService;
import io.adahit.server.chat.ConversationLog;
import io.adahit.server.config.ServerConfig;
import io.adahit.server.grpc.GrpcServer;
import io.adahit.server.inference.TurnScheduler;
import io.adahit.server.metrics.ServerMetrics;
import io.adahit.server.skills.LoadProgress;
import io.adahit.server.skills.SkillCatalog;
import io.adahit.server.web.WebServer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole server, assembled from its parts with constructor injection: the listeners start
 * first (so {@code /health} answers "starting"), then the backbone and skills load, then it is
 * ready. {@link #close} shuts down gracefully: stop accepting, drain in-flight turns, log the
 * open episodes, close connections, free the model.
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
  private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
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

  /** @param random draws bot personas */
  public DialogueServer(ServerConfig config, RandomGenerator random) {
    this.config = config;
    this.random = random;
    new JvmMemoryMetrics().bindTo(prometheus);
    gcMetrics.bindTo(prometheus);
    new JvmThreadMetrics().bindTo(prometheus);
    new ClassLoaderMetrics().bindTo(prometheus);
    new ProcessorMetrics().bindTo(prometheus);
    new UptimeMetrics().bindTo(prometheus);
    this.web = new WebServer(config.http(), state, metrics, prometheus, json);
  }

  /** Starts the listeners, loads the backbone and skills, and becomes ready. */
  public void start(LoadProgress progress) throws IOException, InterruptedException {
    try {
      web.start();
      if (config.grpc().enabled()) {
        grpcExecutor = Executors.newFixedThreadPool(4, named("adahit-grpc"));
        grpc = new GrpcServer(config.http().host(), config.grpc().port(), state, grpcExecutor, prometheus);
        grpc.start();
      }
      LOG.info("listening on http://{}:{}/ (WebSocket /websocket){}; loading the model", config.http().host(),
          web.port(), grpc == null ? "" : ", gRPC " + config.http().host() + ":" + grpc.port());
      backbone = config.skills().backbone() == null ? Backbone.loadDefault() : Backbone.load(config.skills().backbone());
      skills = SkillCatalog.load(backbone, config.skills(), progress);
      inferenceExecutor = Executors.newSingleThreadExecutor(named("adahit-inference"));
      scheduler = new TurnScheduler(backbone, config.batching(), inferenceExecutor, metrics);
      if (config.logs().dir() != null) {
        log = ConversationLog.open(json, config.logs().dir(), logOpt());
      }
      chat = new ChatService(skills, scheduler, config, log, metrics, random);
      housekeeping = Executors.newSingleThreadScheduledExecutor(named("adahit-housekeeping"));
      Duration idle = Duration.ofSeconds(config.conversations().idleTimeoutSeconds());
      housekeeping.scheduleWithFixedDelay(() -> chat.closeIdle("grpc-act", idle), 60, 60, TimeUnit.SECONDS);
      state.ready(chat);
      if (grpc != null) {
        grpc.serving();
      }
      LOG.info("ready: skills {} (default '{}'), conversation log {}", skills.names(), skills.defaultSkill(),
          log == null ? "off" : log.file());
    } catch (IOException | RuntimeException | InterruptedException e) {
      state.failed(e.getMessage());
      close();
      throw e;
    }
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
    opt.put("batching", Map.of("max_batch", config.batching().maxBatch(), "max_wait_ms", config.batching().maxWaitMillis()));
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
   * Graceful shutdown: health turns unready and no connection or call is accepted; in-flight
   * turns are answered (up to the grace period); open episodes are logged and the log closed;
   * remaining connections are closed with 1001; then the model is freed. Idempotent.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    Duration grace = Duration.ofSeconds(config.shutdown().graceSeconds());
    state.stopping();
    LOG.info("shutting down (grace {} s)", grace.toSeconds());
    try {
      web.stopAccepting();
      if (grpc != null) {
        grpc.shutdown();
      }
      if (scheduler != null) {
        scheduler.drain(grace);
      }
      if (chat != null) {
        chat.closeAll(Duration.ofSeconds(2));
      }
      if (log != null) {
        log.close();
      }
      web.close();
      if (grpc != null) {
        grpc.stop(Duration.ofSeconds(2));
      }
      shutdown(housekeeping);
      shutdown(grpcExecutor);
      shutdown(inferenceExecutor);
      if (skills != null) {
        skills.close();
      }
      if (backbone != null) {
        backbone.close();
      }
      gcMetrics.close();
      LOG.info("stopped");
    } finally {
      terminated.countDown();
    }
  }

  private static void shutdown(ExecutorService e) {
    if (e != null) {
      e.shutdownNow();
    }
  }
}
