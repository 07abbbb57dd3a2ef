package io.adahit.app.serve;

import io.adahit.app.ProgressStream;
import io.adahit.server.DialogueServer;
import io.adahit.server.config.ConfigLoader;
import io.adahit.server.config.ServerConfig;
import io.adahit.server.skills.LoadProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code adahit serve}: runs the dialogue server until interrupted (Ctrl-C or SIGTERM shut it down
 * gracefully). With no arguments it serves the skills in {@code ./skills} on the defaults of {@code
 * default-server.yaml}; {@code --config FILE} (or {@code ./adahit-server.yaml}) overrides them and
 * each flag overrides the file.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve retrieval dialogue agents over WebSocket (ParlAI chat-service protocol) and gRPC.",
      "Open http://127.0.0.1:35496/ to chat. Example: adahit serve --port 8080 --skill base"
    })
public final class ServeCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

  /** Read when present and no --config is given. */
  static final Path LOCAL_CONFIG = Path.of("adahit-server.yaml");

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "YAML file overriding the defaults (see --print-config).")
  Path config;

  @Option(
      names = "--print-config",
      description = "Print the effective configuration as YAML and exit.")
  boolean printConfig;

  @Spec CommandSpec spec;

  @Option(
      names = "--host",
      description = "Address to listen on (default 127.0.0.1; 0.0.0.0 for every interface).")
  String host;

  @Option(
      names = {"-p", "--port"},
      description = "HTTP/WebSocket port (default 35496, ParlAI's).")
  Integer port;

  @Option(names = "--grpc-port", description = "gRPC port (default 50051).")
  Integer grpcPort;

  @Option(names = "--no-grpc", description = "Do not start the gRPC listener.")
  boolean noGrpc;

  @Option(
      names = "--skills-dir",
      paramLabel = "DIR",
      description = "Skills folder (default ./skills).")
  Path skillsDir;

  /** Hidden alias of --skills-dir (its old name, still accepted). */
  @Option(names = "--skills", hidden = true, paramLabel = "DIR")
  void skillsAlias(Path dir) {
    skillsDir = dir;
  }

  @Option(
      names = "--skill",
      paramLabel = "NAME",
      description =
          "Default skill: a skill directory's name, base (the zero-shot backbone) or auto (the router) (default auto).")
  String defaultSkill;

  @Option(
      names = {"-fcp", "--fixed-candidates-path"},
      paramLabel = "SKILL=FILE",
      description = "Candidate file for a skill, replacing its candidates.txt (repeatable).")
  Map<String, Path> candidates = new LinkedHashMap<>();

  @Option(
      names = "--backbone",
      paramLabel = "NAME|PATH",
      description =
          "Embedded backbone all-minilm-l6-v2 (default) or "
              + "bge-small-en-v1.5, or a Hugging Face BERT directory or .onnx file; skills trained on another backbone are refused.")
  String backbone;

  @Option(
      names = "--cache-dir",
      paramLabel = "DIR",
      description = "Candidate embedding cache (default .cache/embeddings).")
  Path cacheDir;

  @Option(
      names = "--queue",
      description = "Turns that may wait before the server answers 'overloaded' (default 256).")
  Integer queue;

  @Option(names = "--max-connections", description = "Open WebSocket connections (default 256).")
  Integer maxConnections;

  @Option(
      names = "--max-frame-bytes",
      description = "Largest WebSocket frame accepted (default 65536).")
  Integer maxFrame;

  @Option(
      names = "--log-dir",
      paramLabel = "DIR",
      description = "Conversation logs folder (default ./logs).")
  Path logDir;

  @Option(names = "--no-logs", description = "Do not write conversation logs.")
  boolean noLogs;

  @Option(
      names = "--no-events",
      description =
          "Open no A/B event store (events.url = null: experiments assign, feedback is refused); e.g. for an image build's --exit-when-ready.")
  boolean noEvents;

  @Option(
      names = "--exit-when-ready",
      description =
          "Load everything (filling the candidate cache), then shut down: for image builds and smoke tests.")
  boolean exitWhenReady;

  @Mixin TuningOptions tuning;

  /** The config file, flags applied. */
  ServerConfig effectiveConfig() throws java.io.IOException {
    return ConfigLoader.load(configFile(), flagOverrides());
  }

  /** The YAML file read: --config, else ./adahit-server.yaml when present, else none. */
  Path configFile() {
    return config != null ? config : Files.isRegularFile(LOCAL_CONFIG) ? LOCAL_CONFIG : null;
  }

  /** Where the configuration comes from, for the log: the defaults, the file, the flags' keys. */
  String configSource() {
    Path file = configFile();
    Map<String, String> flags = flagOverrides();
    return "built-in defaults"
        + (file == null
            ? ""
            : " + "
                + file.toAbsolutePath().normalize()
                + (config == null ? " (found in the working directory)" : ""))
        + (flags.isEmpty() ? "" : " + flags " + flags.keySet());
  }

  /** Dotted key → value of every flag given. */
  private Map<String, String> flagOverrides() {
    Map<String, String> o = new LinkedHashMap<>();
    tuning.applyTo(o);
    put(o, "http.host", host);
    put(o, "http.port", port);
    put(o, "grpc.port", grpcPort);
    if (noGrpc) {
      o.put("grpc.enabled", "false");
    }
    put(o, "skills.dir", skillsDir);
    put(o, "skills.default", defaultSkill);
    candidates.forEach((k, v) -> o.put("skills.candidates." + k, v.toString()));
    put(o, "skills.backbone", backbone);
    put(o, "skills.cacheDir", cacheDir);
    put(o, "batching.queueCapacity", queue);
    put(o, "http.maxConnections", maxConnections);
    put(o, "http.maxFrameBytes", maxFrame);
    put(o, "logs.dir", logDir);
    if (noLogs || exitWhenReady) {
      o.put("logs.dir", null);
    }
    if (noEvents) {
      o.put("events.url", null);
    }
    return o;
  }

  private static void put(Map<String, String> o, String key, Object value) {
    if (value != null) {
      o.put(key, value.toString());
    }
  }

  @Override
  public Integer call() throws Exception {
    ServerConfig c = effectiveConfig();
    if (printConfig) {
      spec.commandLine().getOut().print(ConfigLoader.toYaml(c));
      spec.commandLine().getOut().flush();
      return 0;
    }
    LOG.info("config: {}", configSource());
    DialogueServer server = new DialogueServer(c, RandomGenerator.getDefault());
    Thread hook =
        new Thread(
            () -> {
              LOG.info("shutdown requested (SIGTERM, SIGINT or Ctrl-C)");
              server.close();
            },
            "adahit-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    server.start(LoadProgress.forConsole(ProgressStream.of(spec.commandLine().getErr()), LOG));
    LOG.info(
        "AdaHIT server ready: chat page http://{}:{}/  WebSocket ws://{}:{}/websocket{}",
        c.http().host(),
        server.httpPort(),
        c.http().host(),
        server.httpPort(),
        server.grpcPort() < 0 ? "" : "  gRPC " + c.http().host() + ":" + server.grpcPort());
    if (exitWhenReady) {
      server.close();
      Runtime.getRuntime().removeShutdownHook(hook);
      return 0;
    }
    server.awaitTermination();
    return 0;
  }
}
