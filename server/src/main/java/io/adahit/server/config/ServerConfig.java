package io.adahit.server.config;

import io.adahit.agents.adapters.LengthOverrides;
import io.adahit.agents.ranker.PoolPrecision;
import io.adahit.server.experiments.Experiment;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything the server is configured with, immutable and validated on construction. Read with
 * {@link ConfigLoader} from the defaults file shipped in the jar ({@code default-server.yaml}), an
 * optional user file and flag overrides.
 *
 * <pre>{@code
 * ServerConfig c = ConfigLoader.load(null, Map.of("http.port", "0", "skills.dir", "skills"));
 * c.http().port();   // 0 = any free port
 * }</pre>
 */
public record ServerConfig(
    Http http,
    Grpc grpc,
    Skills skills,
    Agent agent,
    Batching batching,
    Rank rank,
    Conversations conversations,
    Logs logs,
    Shutdown shutdown,
    Admin admin,
    Events events,
    List<Experiment> experiments) {

  public ServerConfig {
    require(
        http != null
            && grpc != null
            && skills != null
            && agent != null
            && batching != null
            && rank != null
            && conversations != null
            && logs != null
            && shutdown != null
            && admin != null
            && events != null,
        "config: every section (http, grpc, skills, agent, batching, rank, conversations, logs, shutdown, admin,"
            + " events) is required");
    require(
        !conversations.shared() || events.url() != null,
        "config: conversations.shared needs an event store"
            + " (events.url, PostgreSQL for several replicas): the conversations are kept in its database");
    experiments = experiments == null ? List.of() : List.copyOf(experiments);
    Set<String> names = new HashSet<>();
    Set<String> skillsInTests = new HashSet<>();
    for (Experiment e : experiments) {
      require(names.add(e.name()), "config: experiments: name '" + e.name() + "' is used twice");
      require(
          skillsInTests.add(e.skill()),
          "config: experiments: skill '"
              + e.skill()
              + "' is in two experiments; a conversation can be in one only");
    }
  }

  /**
   * WebSocket + HTTP listener. Two of its keys reach past HTTP (their names are kept for existing
   * config files and flags): {@code host} is the address the gRPC listener binds too, and {@code
   * maxPendingTurns} bounds every conversation's queue, gRPC Act and Chat included.
   *
   * @param host the address both listeners, HTTP/WebSocket and gRPC, bind
   * @param maxConnections connections open at once, counted from accept (HTTP and WebSocket alike)
   * @param maxPendingTurns turns one conversation may queue behind the one being answered, on every
   *     transport (WebSocket, gRPC Act, gRPC Chat)
   * @param handshakeTimeoutSeconds a connection must complete each HTTP request (the WebSocket
   *     upgrade included) within this long of being accepted or answered, else it is closed
   * @param firstMessageTimeoutSeconds a WebSocket that sends no message this long after its upgrade
   *     is closed (1001): a handshake alone does not hold a connection slot for long
   * @param idleTimeoutSeconds a WebSocket whose client sends no message for this long is closed
   *     (1001)
   */
  public record Http(
      String host,
      int port,
      int maxFrameBytes,
      int maxConnections,
      int maxPendingTurns,
      int handshakeTimeoutSeconds,
      int firstMessageTimeoutSeconds,
      int idleTimeoutSeconds) {
    public Http {
      require(
          firstMessageTimeoutSeconds >= 1,
          "config: http.firstMessageTimeoutSeconds must be >= 1, found "
              + firstMessageTimeoutSeconds);
      require(
          handshakeTimeoutSeconds >= 1 && handshakeTimeoutSeconds <= 3600,
          "config: http.handshakeTimeoutSeconds must be in 1..3600, found "
              + handshakeTimeoutSeconds);
      require(
          idleTimeoutSeconds >= 1,
          "config: http.idleTimeoutSeconds must be >= 1, found " + idleTimeoutSeconds);
      require(host != null && !host.isBlank(), "config: http.host is required");
      checkPort(port, "http.port");
      require(
          maxFrameBytes >= 256 && maxFrameBytes <= 16 << 20,
          "config: http.maxFrameBytes must be in 256..16777216, found " + maxFrameBytes);
      require(
          maxConnections >= 1, "config: http.maxConnections must be >= 1, found " + maxConnections);
      require(
          maxPendingTurns >= 1,
          "config: http.maxPendingTurns must be >= 1, found " + maxPendingTurns);
    }
  }

  /** gRPC listener. */
  public record Grpc(boolean enabled, int port) {
    public Grpc {
      checkPort(port, "grpc.port");
    }
  }

  /**
   * Where skills come from.
   *
   * @param candidates skill name → candidate file overriding the skill folder's candidates.txt
   * @param backbone null for the embedded default (all-minilm-l6-v2), else an embedded backbone's
   *     name (all-minilm-l6-v2, bge-small-en-v1.5) or a Hugging Face directory or .onnx file
   * @param poolPrecision how candidate pools are stored (null: fp32); int8 takes a quarter of the
   *     memory per skill, scores rounded
   */
  public record Skills(
      Path dir,
      String defaultSkill,
      Map<String, Path> candidates,
      Path cacheDir,
      String backbone,
      PoolPrecision poolPrecision) {
    public Skills {
      poolPrecision = poolPrecision == null ? PoolPrecision.FP32 : poolPrecision;
      require(dir != null, "config: skills.dir is required");
      require(
          defaultSkill != null && !defaultSkill.isBlank(), "config: skills.default is required");
      candidates = candidates == null ? Map.of() : Map.copyOf(candidates);
      require(cacheDir != null, "config: skills.cacheDir is required");
    }
  }

  /**
   * Per-conversation agent behaviour (ParlAI's TorchRankerAgent options).
   *
   * @param textTruncate word pieces of context every skill's encoder sees (ParlAI's {@code
   *     --text-truncate}); null: each skill its own training length
   * @param labelTruncate word pieces of each candidate reply (ParlAI's {@code --label-truncate});
   *     null: each skill its own training length
   * @param maxContextChars a turn's context (history and persona) is cut to its latest this many
   *     characters before it is tokenized
   */
  public record Agent(
      int historySize,
      String delimiter,
      int textCandidates,
      boolean repeatBlocking,
      int maxTextChars,
      Integer textTruncate,
      Integer labelTruncate,
      int maxContextChars) {
    public Agent {
      require(
          maxContextChars >= 1024,
          "config: agent.maxContextChars must be >= 1024, found " + maxContextChars);
      require(
          textTruncate == null || textTruncate >= 8 && textTruncate <= 512,
          "config: agent.textTruncate must be in 8..512 word pieces, found "
              + textTruncate
              + " (or null: each skill at its own training length)");
      require(
          labelTruncate == null || labelTruncate >= 8 && labelTruncate <= 512,
          "config: agent.labelTruncate must be in 8..512 word pieces, found "
              + labelTruncate
              + " (or null: each skill at its own training length)");
      require(
          historySize == -1 || historySize >= 1,
          "config: agent.historySize must be -1 (all) or >= 1, found " + historySize);
      require(delimiter != null, "config: agent.delimiter is required");
      require(
          textCandidates >= 1 && textCandidates <= 1000,
          "config: agent.textCandidates must be in 1..1000, found " + textCandidates);
      require(maxTextChars >= 1, "config: agent.maxTextChars must be >= 1, found " + maxTextChars);
    }

    /** The lengths this config sets for every skill (none set: each skill's own). */
    public LengthOverrides lengthOverrides() {
      return LengthOverrides.of(textTruncate, labelTruncate);
    }
  }

  /**
   * The micro-batching scheduler.
   *
   * @param maxBatch turns encoded in one forward pass
   * @param maxWaitMillis how long the first turn of a batch waits for company
   * @param queueCapacity turns waiting; beyond it a turn is refused as overloaded
   * @param workers inference loops taking batches side by side, each running its forward passes on
   *     {@code engine threads / workers} of PyTorch's intra-op threads (at least one); 0: one loop
   *     per engine thread ({@link #workersFor})
   */
  public record Batching(int maxBatch, int maxWaitMillis, int queueCapacity, int workers) {
    public Batching {
      require(
          workers >= 0 && workers <= 64,
          "config: batching.workers must be in 0..64 (0: one per engine thread), found " + workers);
      require(
          maxBatch >= 1 && maxBatch <= 1024,
          "config: batching.maxBatch must be in 1..1024, found " + maxBatch);
      require(
          maxWaitMillis >= 0 && maxWaitMillis <= 10_000,
          "config: batching.maxWaitMillis must be in 0..10000, found " + maxWaitMillis);
      require(
          queueCapacity >= 1,
          "config: batching.queueCapacity must be >= 1, found " + queueCapacity);
    }

    /** The inference loops to run when the engine has {@code engineThreads} intra-op threads. */
    public int workersFor(int engineThreads) {
      return workers == 0 ? Math.max(1, engineThreads) : workers;
    }

    /** Intra-op threads each loop's forward passes use: the engine's, shared out, at least one. */
    public int threadsPerWorker(int engineThreads) {
      return Math.max(1, engineThreads / workersFor(engineThreads));
    }
  }

  /**
   * The gRPC Rank call's limits: what one call may ask for, and how its work is cut so chat turns
   * pass between the pieces.
   *
   * @param maxContextChars longest context accepted (INVALID_ARGUMENT beyond)
   * @param maxCandidates most candidates per call (INVALID_ARGUMENT beyond)
   * @param maxCandidateChars most characters over all candidates of a call (INVALID_ARGUMENT
   *     beyond)
   * @param chunkCandidates candidates encoded in one piece of work; waiting chat turns run between
   *     pieces
   * @param queueCapacity Rank calls waiting or running at once; more are refused
   *     (RESOURCE_EXHAUSTED)
   * @param candidateCacheMb memory for candidate embeddings kept across calls (each counted with
   *     its text; per skill and length; Caffeine's size-based eviction), so candidates that come
   *     back in later calls (an evaluation's shared candidate lists) are encoded once; 0 keeps none
   */
  public record Rank(
      int maxContextChars,
      int maxCandidates,
      int maxCandidateChars,
      int chunkCandidates,
      int queueCapacity,
      int candidateCacheMb) {
    public Rank {
      require(
          maxContextChars >= 1,
          "config: rank.maxContextChars must be >= 1, found " + maxContextChars);
      require(
          maxCandidates >= 1, "config: rank.maxCandidates must be >= 1, found " + maxCandidates);
      require(
          maxCandidateChars >= 1,
          "config: rank.maxCandidateChars must be >= 1, found " + maxCandidateChars);
      require(
          chunkCandidates >= 1,
          "config: rank.chunkCandidates must be >= 1, found " + chunkCandidates);
      require(
          queueCapacity >= 1, "config: rank.queueCapacity must be >= 1, found " + queueCapacity);
      require(
          candidateCacheMb >= 0 && candidateCacheMb <= 65_536,
          "config: rank.candidateCacheMb must be in 0..65536 (0: none), found " + candidateCacheMb);
    }
  }

  /**
   * Limits on conversations held in memory.
   *
   * @param idleTimeoutSeconds a conversation unused this long is closed (every transport)
   * @param transportShare the fraction of {@code maxOpen} one transport (websocket, grpc-act,
   *     grpc-chat) may hold, so no transport can lock the others out
   * @param shared gRPC Act conversations live in the event store's database, so any replica
   *     continues any of them (needs events.url; PostgreSQL for several replicas)
   */
  public record Conversations(
      int maxOpen, int idleTimeoutSeconds, double transportShare, boolean shared) {
    public Conversations {
      require(maxOpen >= 1, "config: conversations.maxOpen must be >= 1, found " + maxOpen);
      require(
          idleTimeoutSeconds >= 1,
          "config: conversations.idleTimeoutSeconds must be >= 1, found " + idleTimeoutSeconds);
      require(
          transportShare > 0 && transportShare <= 1,
          "config: conversations.transportShare must be in (0, 1], found " + transportShare);
    }

    /** Conversations one transport may hold. */
    public int maxPerTransport() {
      return Math.max(1, (int) Math.floor(maxOpen * transportShare));
    }
  }

  /** Conversation logs; {@code dir} null disables them. */
  public record Logs(Path dir) {}

  /**
   * The admin API (adapters, experiments, reports over gRPC AdminService and HTTP {@code /admin/}).
   * Off unless a token is set: {@code token} itself, or {@code tokenFile} holding it (better: keeps
   * the secret out of the config). Clients send {@code Authorization: Bearer <token>}.
   *
   * @param retireGraceSeconds how long a replaced or unloaded adapter stays in memory after its
   *     last in-flight turn released it, before it is freed
   * @param syncSeconds how often a replica reads the desired state of admin changes (adapters,
   *     experiments) recorded in the event store by any replica and applies what is new; 0: never
   *     (changes are still recorded, and applied at the next start)
   */
  public record Admin(String token, Path tokenFile, int retireGraceSeconds, int syncSeconds) {
    public Admin {
      require(
          syncSeconds >= 0 && syncSeconds <= 3600,
          "config: admin.syncSeconds must be in 0..3600 (0 = no polling), found " + syncSeconds);
      require(
          token == null || tokenFile == null,
          "config: set admin.token or admin.tokenFile, not both");
      require(
          token == null || token.length() >= 16,
          "config: admin.token must be at least 16 characters, found "
              + (token == null ? 0 : token.length()));
      require(
          retireGraceSeconds >= 0 && retireGraceSeconds <= 3600,
          "config: admin.retireGraceSeconds must be in 0..3600, found " + retireGraceSeconds);
    }

    @Override
    public String toString() { // never print the secret
      return "Admin[token="
          + (token == null ? "none" : "***")
          + ", tokenFile="
          + tokenFile
          + ", retireGraceSeconds="
          + retireGraceSeconds
          + ", syncSeconds="
          + syncSeconds
          + "]";
    }
  }

  /**
   * The A/B event store (assignments, feedback, episode lengths): a JDBC URL, {@code
   * jdbc:sqlite:FILE} (embedded, the default) or {@code jdbc:postgresql://HOST/DB} (shared by
   * several replicas); null disables it (experiments still assign and count in metrics; feedback is
   * refused).
   *
   * @param passwordEnv the environment variable holding the database password (none if null)
   * @param replica this process's name in the assignment records (null: the host name)
   */
  public record Events(String url, String user, String passwordEnv, String replica) {
    public Events {
      require(
          url == null || url.startsWith("jdbc:sqlite:") || url.startsWith("jdbc:postgresql:"),
          "config: events.url must start with jdbc:sqlite: or jdbc:postgresql:, found '"
              + redact(url)
              + "'");
    }

    /**
     * A JDBC URL as messages may show it: parameters (after '?' or ';', where a password may be)
     * replaced by "...", and user info ({@code //user:password@host}) by "***". {@code
     * jdbc:postgresql://db:5432/ab?user=u&password=p} → {@code jdbc:postgresql://db:5432/ab?...}
     */
    public static String redact(String url) {
      if (url == null) {
        return "null";
      }
      int cut = url.length();
      for (char c : new char[] {'?', ';'}) {
        int i = url.indexOf(c);
        if (i >= 0 && i < cut) {
          cut = i;
        }
      }
      String out = cut < url.length() ? url.substring(0, cut + 1) + "..." : url;
      int host = out.indexOf("//");
      int at = host < 0 ? -1 : out.indexOf('@', host + 2);
      int path = host < 0 ? -1 : out.indexOf('/', host + 2);
      if (at >= 0 && (path < 0 || at < path)) {
        out = out.substring(0, host + 2) + "***" + out.substring(at);
      }
      return out;
    }

    @Override
    public String toString() { // the URL may carry a password
      return "Events[url="
          + redact(url)
          + ", user="
          + user
          + ", passwordEnv="
          + passwordEnv
          + ", replica="
          + replica
          + "]";
    }
  }

  /** Graceful shutdown. */
  public record Shutdown(int graceSeconds) {
    public Shutdown {
      require(
          graceSeconds >= 0, "config: shutdown.graceSeconds must be >= 0, found " + graceSeconds);
    }
  }

  private static void checkPort(int port, String field) {
    require(
        port >= 0 && port <= 65535,
        "config: " + field + " must be in 0..65535 (0 = any free port), found " + port);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
