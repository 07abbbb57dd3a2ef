package io.adahit.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.EngineThreads;
import io.adahit.agents.backbone.NativeHeap;
import io.adahit.app.ProgressStream;
import io.adahit.app.bench.BenchSkills;
import io.adahit.app.bench.HealthPoller;
import io.adahit.app.bench.HostileLoad;
import io.adahit.app.bench.LoadRun;
import io.adahit.app.serve.TuningOptions;
import io.adahit.server.DialogueServer;
import io.adahit.server.config.ConfigLoader;
import io.adahit.server.config.ServerConfig;
import io.adahit.server.skills.LoadProgress;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code adahit bench-server}: a load benchmark of the WebSocket server on loopback. Starts the
 * server in this process (port 0, no logs), then runs N concurrent ParlAI chat-service
 * conversations twice on the same load: all on one skill, then spread over four skills (mixed
 * batches; every skill has adapters, see {@code BenchSkills}), and prints turns/s, p50/p99 latency
 * and RSS for each, and the mixed/single ratio. Bounded by a turn count per conversation and a time
 * limit per run.
 *
 * <p>Hostile mode ({@code --idle-sockets}, {@code --rank-clients}, {@code --act-burst}, any of
 * them): the single-skill run, then the same chat load again beside hostile clients ({@link
 * HostileLoad}: idle sockets, large Rank calls in a loop, a burst of new-id Acts), and the chat p99
 * and refusals of both, side by side, with what the server did to the hostile clients.
 */
@Command(
    name = "bench-server",
    mixinStandardHelpOptions = true,
    description = {
      "Load benchmark: N concurrent WebSocket conversations, one skill vs four skills mixed.",
      "Loopback only. Example: adahit bench-server --conversations 64 --turns 10"
    })
public final class BenchServerCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  /** picocli's output stream (what a test or an embedding caller set), results. */
  private PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** picocli's error stream: progress and errors. */
  private PrintWriter err() {
    return spec.commandLine().getErr();
  }

  @Option(
      names = {"-n", "--conversations"},
      defaultValue = "64",
      description = "Concurrent conversations (default ${DEFAULT-VALUE}).")
  int conversations;

  @Mixin TurnsOption turns;

  @Option(
      names = "--think-ms",
      defaultValue = "0",
      description =
          "Mean pause after each reply, per conversation: drawn from [T/2, 3T/2], starts staggered over [0, T) (default ${DEFAULT-VALUE}: back to back).")
  long thinkMillis;

  @Option(
      names = "--max-seconds",
      defaultValue = "300",
      description = "Time limit of each run (default ${DEFAULT-VALUE}).")
  long maxSeconds;

  @Option(
      names = "--mixed-skills",
      defaultValue = "4",
      description = "Skills in the mixed run (default ${DEFAULT-VALUE}).")
  int mixedSkills;

  /** Hidden alias of --skills-dir (its old name, still accepted). */
  @Option(names = "--skills", hidden = true, paramLabel = "DIR")
  void skillsAlias(Path dir) {
    skillsDir = dir;
  }

  @Option(
      names = "--skills-dir",
      paramLabel = "DIR",
      description =
          "Skills folder (default ${DEFAULT-VALUE}): its skills with adapters, topped up with synthetic adapter skills.")
  Path skillsDir =
      Path.of(
          "skills"); // a field value, not defaultValue: picocli would apply that after the alias

  @Option(
      names = "--cache-dir",
      defaultValue = ".cache/embeddings",
      paramLabel = "DIR",
      description = "Candidate embedding cache.")
  Path cacheDir;

  @Mixin TuningOptions tuning;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Loopback address to serve and connect on.")
  String host;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
  Path jsonOut;

  @Option(
      names = "--idle-sockets",
      defaultValue = "0",
      description =
          "Hostile: connections that never send a message (half raw TCP, half WebSocket handshakes), reopened when closed (default ${DEFAULT-VALUE}).")
  int idleSockets;

  @Option(
      names = "--rank-clients",
      defaultValue = "0",
      description =
          "Hostile: gRPC clients sending large Rank calls in a loop, 5 s deadline each (default ${DEFAULT-VALUE}).")
  int rankClients;

  @Option(
      names = "--rank-candidates",
      defaultValue = "10000",
      description =
          "Candidates per hostile Rank call; rank.maxCandidates is raised to allow it (default ${DEFAULT-VALUE}).")
  int rankCandidates;

  @Option(
      names = "--act-burst",
      defaultValue = "0",
      description =
          "Hostile: gRPC Act calls with new ids sent at once when the hostile run starts, half [DONE] (default ${DEFAULT-VALUE}).")
  int actBurst;

  private boolean hostile() {
    return idleSockets > 0 || rankClients > 0 || actBurst > 0;
  }

  @Override
  public Integer call() throws Exception {
    if (!InetAddress.getByName(host).isLoopbackAddress()) {
      err().println("bench-server: --host must be a loopback address, found " + host);
      return 2;
    }
    if (conversations < 1 || turns.value() < 1 || mixedSkills < 1) {
      err().println("bench-server: --conversations, --turns and --mixed-skills must be >= 1");
      return 2;
    }
    if (idleSockets < 0 || rankClients < 0 || actBurst < 0 || rankCandidates < 1) {
      err()
          .println(
              "bench-server: --idle-sockets, --rank-clients and --act-burst must be >= 0,"
                  + " --rank-candidates >= 1");
      return 2;
    }
    Path scratch = Files.createTempDirectory("adahit-bench-skills");
    List<String> skills;
    try (Backbone b = Backbone.loadDefault()) {
      skills = BenchSkills.prepare(skillsDir, scratch, mixedSkills, b);
    }
    Map<String, String> o = new HashMap<>();
    o.put("http.host", host);
    o.put("http.port", "0");
    o.put("http.maxConnections", Integer.toString(Math.max(256, conversations + 16) + idleSockets));
    o.put("grpc.enabled", Boolean.toString(hostile()));
    o.put("grpc.port", "0");
    if (rankClients > 0) { // the hostile calls are real work, not refused for their size
      o.put("rank.maxCandidates", Integer.toString(Math.max(5000, rankCandidates)));
      o.put("rank.maxCandidateChars", Integer.toString(Math.max(1_000_000, rankCandidates * 400)));
    }
    o.put("skills.dir", scratch.toString());
    o.put("skills.default", skills.get(0));
    o.put("skills.cacheDir", cacheDir.toString());
    o.put("batching.queueCapacity", Integer.toString(Math.max(256, 2 * conversations)));
    o.put("conversations.maxOpen", Integer.toString(Math.max(1024, conversations + 16)));
    o.put("logs.dir", null);
    tuning.applyTo(o);
    ServerConfig config = ConfigLoader.load(null, o);
    List<String> utterances = utterances(scratch.resolve(skills.get(0)).resolve("candidates.txt"));
    Map<String, Object> report = new LinkedHashMap<>();
    try (DialogueServer server = new DialogueServer(config, new Random(1))) {
      server.start(
          LoadProgress.forConsole(
              ProgressStream.of(err()),
              org.slf4j.LoggerFactory.getLogger(BenchServerCommand.class)));
      String url = "ws://" + host + ":" + server.httpPort() + "/websocket";
      loadedMemory(skills.size(), report);
      err().println("warm-up ...");
      new LoadRun(url, skills, Math.min(8, conversations), 3, 0, utterances).run(60_000);
      List<String> mixed = skills.subList(0, Math.min(mixedSkills, skills.size()));
      int engineThreads = EngineThreads.current();
      int loops = config.batching().workersFor(engineThreads);
      int loopThreads = config.batching().threadsPerWorker(engineThreads);
      out()
          .printf(
              "bench-server: %d conversations x %d turns, think %d ms, batch %d / wait %d ms,"
                  + " %d inference loop(s) x %d engine thread(s), contexts %s, %d cores%n",
              conversations,
              turns.value(),
              thinkMillis,
              config.batching().maxBatch(),
              config.batching().maxWaitMillis(),
              loops,
              loopThreads,
              config.agent().textTruncate() == null
                  ? "at each skill's training length"
                  : "<= " + config.agent().textTruncate() + " word pieces",
              Runtime.getRuntime().availableProcessors());
      out()
          .printf(
              "%-40s %8s %8s %9s %9s %9s %8s %9s%n",
              "run", "turns", "errors", "turns/s", "p50 ms", "p99 ms", "RSS MB", "peak MB");
      String health = hostile() ? "http://" + host + ":" + server.httpPort() + "/health" : null;
      LoadRun.Result single =
          measure(
              "single (" + skills.get(0) + ")",
              url,
              List.of(skills.get(0)),
              utterances,
              report,
              "single",
              health);
      if (hostile()) {
        hostileRun(server, url, skills.get(0), utterances, single, report, health);
        report.put("conversations", conversations);
        report.put("turns_per_conversation", turns.value());
        report.put("think_ms", thinkMillis);
        report.put("cores", Runtime.getRuntime().availableProcessors());
        return finish(report);
      }
      LoadRun.Result mix =
          measure(
              "mixed (" + mixed.size() + " skills)", url, mixed, utterances, report, "mixed", null);
      out().println("mixed skills: " + mixed);
      double ratio = mix.turnsPerSecond() / single.turnsPerSecond();
      out().printf("mixed / single throughput: %.3f (goal >= 0.9)%n", ratio);
      out()
          .printf(
              "p99 at %d concurrent conversations: single %.1f ms, mixed %.1f ms (goal <= 100 ms)%n",
              conversations, single.percentile(99), mix.percentile(99));
      report.put("mixed_over_single", ratio);
      report.put("conversations", conversations);
      report.put("turns_per_conversation", turns.value());
      report.put("think_ms", thinkMillis);
      report.put("max_batch", config.batching().maxBatch());
      report.put("max_wait_ms", config.batching().maxWaitMillis());
      report.put("workers", loops);
      report.put("threads_per_worker", loopThreads);
      report.put(
          "text_truncate", config.agent().textTruncate()); // null: each skill's own, see lengths
      report.put("lengths", server.chat().skills().lengths());
      report.put("cores", Runtime.getRuntime().availableProcessors());
    } finally {
      try (Stream<Path> s = Files.list(scratch)) {
        for (Path p : s.toList()) {
          deleteTree(p);
        }
      }
      Files.deleteIfExists(scratch);
    }
    return finish(report);
  }

  /** Writes the JSON report if asked. */
  private int finish(Map<String, Object> report) throws IOException {
    if (jsonOut != null) {
      Files.write(
          jsonOut, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(report));
    }
    return 0;
  }

  /**
   * The single-skill chat load again, beside the hostile clients; prints both runs' p99 and
   * refusals.
   */
  private void hostileRun(
      DialogueServer server,
      String url,
      String skill,
      List<String> utterances,
      LoadRun.Result baseline,
      Map<String, Object> report,
      String health)
      throws Exception {
    err()
        .printf(
            "hostile clients: %d idle sockets, %d Rank clients x %d candidates, a burst of %d Acts%n",
            idleSockets, rankClients, rankCandidates, actBurst);
    LoadRun.Result r;
    Map<String, Object> counts;
    try (HostileLoad h =
        HostileLoad.start(
            host,
            server.httpPort(),
            server.grpcPort(),
            idleSockets,
            rankClients,
            rankCandidates,
            actBurst,
            skill,
            utterances)) {
      r =
          measure(
              "single + hostile clients",
              url,
              List.of(skill),
              utterances,
              report,
              "single_hostile",
              health);
      counts = h.counts();
    }
    out()
        .printf(
            "chat p99: %.1f ms alone, %.1f ms beside hostile clients (ratio %.2f, goal <= 2);"
                + " chat errors/refusals: %d alone, %d beside them%n",
            baseline.percentile(99),
            r.percentile(99),
            r.percentile(99) / baseline.percentile(99),
            baseline.errors(),
            r.errors());
    out().println("hostile clients: " + counts);
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) report.get("single_hostile");
    m.remove("skills");
    m.put("p99_over_alone", r.percentile(99) / baseline.percentile(99));
    m.put("idle_sockets", idleSockets);
    m.put("rank_clients", rankClients);
    m.put("rank_candidates", rankCandidates);
    m.put("act_burst", actBurst);
    m.put("hostile_clients", counts);
  }

  /**
   * One chat load run, printed as a table row (then its turns by outcome and, if polled, what
   * /health said); {@code report.get(key)} gets its figures.
   *
   * @param health the server's /health URL to poll every second during the run, or null
   */
  private LoadRun.Result measure(
      String name,
      String url,
      List<String> skills,
      List<String> utterances,
      Map<String, Object> report,
      String key,
      String health)
      throws Exception {
    LoadRun.Result r;
    Map<String, Object> healthCounts = null;
    if (health == null) {
      r =
          new LoadRun(url, skills, conversations, turns.value(), thinkMillis, utterances)
              .run(maxSeconds * 1000);
    } else {
      try (HealthPoller poller = HealthPoller.start(health, Duration.ofSeconds(1))) {
        r =
            new LoadRun(url, skills, conversations, turns.value(), thinkMillis, utterances)
                .run(maxSeconds * 1000);
        healthCounts = poller.counts();
      }
    }
    long[] rss = rss();
    out()
        .printf(
            "%-40s %8d %8d %9.1f %9.1f %9.1f %8d %9d%n",
            name,
            r.turns(),
            r.errors(),
            r.turnsPerSecond(),
            r.percentile(50),
            r.percentile(99),
            rss[0] / 1024,
            rss[1] / 1024);
    out()
        .printf(
            "  %s: turns sent %d, answered %d; errors by kind %s%n",
            name, r.sent(), r.turns(), r.errorKinds());
    if (healthCounts != null) {
      out().printf("  %s: /health every 1 s: %s%n", name, healthCounts);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("skills", skills);
    m.put("turns_sent", r.sent());
    m.put("turns", r.turns());
    m.put("errors", r.errors());
    m.put("errors_by_kind", r.errorKinds());
    if (healthCounts != null) {
      m.put("health", healthCounts);
    }
    m.put("seconds", r.seconds());
    m.put("turns_per_second", r.turnsPerSecond());
    m.put("p50_ms", r.percentile(50));
    m.put("p99_ms", r.percentile(99));
    m.put("rss_kb", rss[0]);
    m.put("peak_rss_kb", rss[1]);
    report.put(key, m);
    return r;
  }

  /**
   * Resident memory once every skill is loaded and before any load, after a full GC (garbage of the
   * start-up does not count), and again after also giving the native heap's free memory back
   * ({@link NativeHeap#trim}: the engine's copies of the pools' direct buffers, freed by that GC,
   * stay in glibc's free lists otherwise). The slope of the second figure over runs with more
   * skills is the live memory a loaded skill costs.
   */
  private void loadedMemory(int skillCount, Map<String, Object> report) {
    System.gc();
    long afterGc = rss()[0];
    NativeHeap.trim();
    long afterTrim = rss()[0];
    Runtime rt = Runtime.getRuntime();
    long heapUsed = rt.totalMemory() - rt.freeMemory();
    out()
        .printf(
            "loaded %d skills: RSS %d MB after a full GC, %d MB after also trimming the native heap"
                + " (JVM heap used %d MB)%n",
            skillCount, afterGc / 1024, afterTrim / 1024, heapUsed >> 20);
    report.put("loaded_skills", skillCount);
    report.put("loaded_rss_kb", afterGc);
    report.put("loaded_trimmed_rss_kb", afterTrim);
    report.put("loaded_heap_used_kb", heapUsed >> 10);
  }

  /**
   * VmRSS and VmHWM of this process (server and clients together), in kB; zeros where /proc is
   * absent.
   */
  static long[] rss() {
    long[] out = new long[2];
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
        if (line.startsWith("VmRSS:")) {
          out[0] = Long.parseLong(line.replaceAll("[^0-9]", ""));
        } else if (line.startsWith("VmHWM:")) {
          out[1] = Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux: no RSS figures
    }
    return out;
  }

  /** What the simulated users say: real replies from the first skill's pool. */
  private static List<String> utterances(Path candidates) throws IOException {
    List<String> all = new ArrayList<>();
    for (String l : Files.readAllLines(candidates, StandardCharsets.UTF_8)) {
      if (!l.isBlank()) {
        all.add(l.strip());
      }
    }
    Random r = new Random(42);
    java.util.Collections.shuffle(all, r);
    return all.subList(0, Math.min(500, all.size()));
  }

  private static void deleteTree(Path p) throws IOException {
    if (Files.isDirectory(p) && !Files.isSymbolicLink(p)) {
      try (Stream<Path> s = Files.list(p)) {
        for (Path c : s.toList()) {
          deleteTree(c);
        }
      }
    }
    Files.deleteIfExists(p);
  }
}
