package io.adahit.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.app.bench.AckLog;
import io.adahit.app.bench.AckedLoad;
import io.adahit.app.bench.HealthPoller;
import io.adahit.app.bench.HostileLoad;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code adahit bench-client}: chat load against a server that runs elsewhere on this machine
 * ({@code adahit serve}), recording every acknowledgement the server gave ({@link AckLog}: episodes
 * ended by an answered {@code [DONE]}, feedback answered "recorded", A/B assignments named in a
 * welcome), optionally beside hostile clients ({@link HostileLoad}). It stops after {@code
 * --max-seconds}, or once {@code /health} has not answered for 3 s (the server is gone, say killed
 * with {@code kill -9}), and prints what it sent and what was acknowledged. A script then checks
 * that every acknowledgement is in the server's logs and event store ({@code
 * eval/results/reliability/kill9.sh}).
 */
@Command(
    name = "bench-client",
    mixinStandardHelpOptions = true,
    description = {
      "Chat load against a running server (loopback), recording every acknowledged episode and feedback.",
      "Example: adahit bench-client --url ws://127.0.0.1:8080/websocket -n 200 --acks acks.jsonl"
    })
public final class BenchClientCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  /** picocli's output stream (what a test or an embedding caller set), results. */
  private PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** picocli's error stream: progress and errors. */
  private PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /** User lines when no --texts file is given. */
  private static final List<String> DEFAULT_TEXTS =
      List.of(
          "hi, how are you today?",
          "i love hiking in the mountains",
          "what do you do for a living?",
          "my dog is called max",
          "do you like to cook?",
          "i just got back from work",
          "what is your favorite movie?",
          "i play the guitar on weekends",
          "where did you grow up?",
          "i am a teacher at a small school",
          "that sounds like fun",
          "do you have any pets?");

  @Option(
      names = "--url",
      required = true,
      paramLabel = "WS_URL",
      description = "The server's WebSocket, e.g. ws://127.0.0.1:8080/websocket (loopback only).")
  String url;

  @Option(
      names = "--grpc-port",
      defaultValue = "0",
      description = "The server's gRPC port (needed by --rank-clients).")
  int grpcPort;

  @Option(
      names = {"-n", "--conversations"},
      defaultValue = "64",
      description =
          "Concurrent conversations (default ${DEFAULT-VALUE}); 0 runs only the hostile clients,"
              + " beside a chat load from another process.")
  int conversations;

  @Option(
      names = "--turns",
      defaultValue = "3",
      description =
          "Turns per episode; each conversation runs episodes in a loop (default ${DEFAULT-VALUE}).")
  int turns;

  @Option(
      names = "--think-ms",
      defaultValue = "1000",
      description =
          "Mean pause after each reply: drawn from [T/2, 3T/2], starts staggered over [0, T) (default ${DEFAULT-VALUE}).")
  long thinkMillis;

  @Option(
      names = "--max-seconds",
      defaultValue = "600",
      description =
          "Stop after this long (default ${DEFAULT-VALUE}); it also stops once /health has not answered for 3 s.")
  long maxSeconds;

  @Option(
      names = "--acks",
      required = true,
      paramLabel = "FILE",
      description = "Acknowledgements, one JSON line each (appended).")
  Path acksFile;

  @Option(
      names = "--texts",
      paramLabel = "FILE",
      description = "What the users say, one line each (default: a dozen built-in lines).")
  Path textsFile;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the summary as JSON.")
  Path jsonOut;

  @Option(
      names = "--idle-sockets",
      defaultValue = "0",
      description =
          "Hostile: connections that never send a message, reopened when closed (default ${DEFAULT-VALUE}).")
  int idleSockets;

  @Option(
      names = "--rank-clients",
      defaultValue = "0",
      description =
          "Hostile: gRPC clients sending large Rank calls in a loop (default ${DEFAULT-VALUE}).")
  int rankClients;

  @Option(
      names = "--rank-candidates",
      defaultValue = "10000",
      description =
          "Candidates per hostile Rank call; the server's rank.maxCandidates must allow it (default ${DEFAULT-VALUE}).")
  int rankCandidates;

  /** What is wrong with the options, or null: checked before anything connects. */
  String problem() throws Exception {
    URI u;
    try {
      u = URI.create(url);
    } catch (IllegalArgumentException e) {
      return "--url is not a URL: " + url;
    }
    if (!"ws".equals(u.getScheme()) || u.getHost() == null || u.getPort() < 1) {
      return "--url must be ws://HOST:PORT/websocket, found " + url;
    }
    if (!InetAddress.getByName(u.getHost()).isLoopbackAddress()) {
      return "--url must name a loopback address (this is a load and hostile-client tool), found "
          + u.getHost();
    }
    if (conversations < 0 || turns < 1 || thinkMillis < 0 || maxSeconds < 1) {
      return "--conversations must be >= 0, --turns and --max-seconds >= 1 and --think-ms >= 0,"
          + " found "
          + conversations
          + ", "
          + turns
          + ", "
          + maxSeconds
          + ", "
          + thinkMillis;
    }
    if (idleSockets < 0 || rankClients < 0 || rankCandidates < 1) {
      return "--idle-sockets and --rank-clients must be >= 0, --rank-candidates >= 1";
    }
    if (conversations == 0 && idleSockets == 0 && rankClients == 0) {
      return "--conversations 0 runs hostile clients only: give --idle-sockets or --rank-clients";
    }
    if (rankClients > 0 && grpcPort < 1) {
      return "--rank-clients needs the server's --grpc-port";
    }
    return null;
  }

  @Override
  public Integer call() throws Exception {
    String problem = problem();
    if (problem != null) {
      err().println("bench-client: " + problem);
      return 2;
    }
    List<String> texts = textsFile == null ? DEFAULT_TEXTS : readTexts(textsFile);
    URI u = URI.create(url);
    String health = "http://" + u.getHost() + ":" + u.getPort() + "/health";
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(maxSeconds);
    Map<String, Object> report = new LinkedHashMap<>();
    try (AckLog acks = AckLog.open(acksFile);
        HealthPoller poller = HealthPoller.start(health, Duration.ofSeconds(1));
        HostileLoad hostile =
            HostileLoad.start(
                u.getHost(),
                u.getPort(),
                grpcPort,
                idleSockets,
                rankClients,
                rankCandidates,
                0,
                "",
                texts)) { // "": Rank on the server's default skill
      boolean[] serverGone = {false};
      BooleanSupplier stop =
          () -> {
            serverGone[0] = poller.consecutiveFailures() >= 3;
            return serverGone[0] || System.nanoTime() > deadline;
          };
      AckedLoad load =
          conversations == 0
              ? null
              : new AckedLoad(url, conversations, turns, thinkMillis, texts, acks);
      if (load != null) {
        load.run(stop);
      } else { // hostile clients only, beside a chat load run by another process
        while (!stop.getAsBoolean()) {
          Thread.sleep(200);
        }
      }
      report.put("stopped_by", serverGone[0] ? "server_gone" : "max_seconds");
      report.put("seconds", Math.round((System.nanoTime() - start) / 1e8) / 10.0);
      report.put("conversations", conversations);
      report.put("turns_per_episode", turns);
      report.put("think_ms", thinkMillis);
      if (load != null) {
        report.put("turns_answered", load.answered());
        report.put("latency_ms", latencies(load));
        report.put("acknowledged", acks.counts());
        report.put("other_outcomes", load.outcomes());
      }
      report.put("health", poller.counts());
      report.put("hostile_clients", hostile.counts());
    }
    out().println("bench-client: " + report);
    if (jsonOut != null) {
      Files.write(
          jsonOut, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(report));
    }
    return 0;
  }

  /** p50, p90, p99 and max of the answered turns' latencies, in ms, rounded to 0.1. */
  private static Map<String, Double> latencies(AckedLoad load) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (double p : new double[] {50, 90, 99, 100}) {
      double v = load.percentile(p);
      out.put(p == 100 ? "max" : "p" + (int) p, Double.isNaN(v) ? v : Math.round(v * 10) / 10.0);
    }
    return out;
  }

  private static List<String> readTexts(Path file) throws Exception {
    List<String> out = new ArrayList<>();
    for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!l.isBlank()) {
        out.add(l.strip());
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("--texts " + file + ": no lines");
    }
    return out;
  }
}
