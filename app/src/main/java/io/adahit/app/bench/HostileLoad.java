package io.adahit.app.bench;

import io.adahit.proto.v1.ActRequest;
import io.adahit.proto.v1.ActResponse;
import io.adahit.proto.v1.DialogueServiceGrpc;
import io.adahit.proto.v1.Message;
import io.adahit.proto.v1.RankRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Hostile and clumsy clients to run beside a chat load ({@code bench-server --idle-sockets N
 * --rank-clients K --act-burst M}), each optional:
 *
 * <ul>
 *   <li>idle sockets: half raw TCP connections that send nothing, half WebSocket upgrades that
 *       never send a message; each is reopened when the server closes it, so the pressure stays;
 *   <li>Rank clients: each sends Rank calls of {@code rankCandidates} candidates in a loop, each
 *       call with a 5 s deadline and candidates the server has not seen;
 *   <li>an Act burst: {@code actBurst} gRPC Act calls with new conversation ids at once, half
 *       {@code [DONE]} (no inference), half a first turn.
 * </ul>
 *
 * Counts what the server did with each (answered, refused by status code, sockets closed).
 *
 * <pre>{@code
 * try (HostileLoad h = HostileLoad.start("127.0.0.1", httpPort, grpcPort, 256, 1, 10_000, 1024, "base",
 *     utterances)) {
 *   LoadRun.Result chat = new LoadRun(url, skills, 64, 10, 0, utterances).run(120_000);
 *   Map<String, Object> counts = h.counts();
 * }
 * }</pre>
 */
public final class HostileLoad implements AutoCloseable {

  private static final long RANK_DEADLINE_MILLIS = 5_000;

  private final String host;
  private final int httpPort;
  private final ManagedChannel channel;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "bench-hostile");
            t.setDaemon(true);
            return t;
          });
  private final List<Future<?>> running = new ArrayList<>();
  private final List<Socket> sockets = new ArrayList<>();
  private volatile boolean stopped;
  private final LongAdder socketsOpened = new LongAdder();
  private final LongAdder socketsClosedByServer = new LongAdder();
  private final LongAdder socketsNotConnected = new LongAdder();
  private final LongAdder ranksAnswered = new LongAdder();
  private final Map<String, AtomicInteger> rankRefused = new ConcurrentHashMap<>();
  private final LongAdder actsAnswered = new LongAdder();
  private final Map<String, AtomicInteger> actRefused = new ConcurrentHashMap<>();

  private HostileLoad(String host, int httpPort, int grpcPort) {
    this.host = host;
    this.httpPort = httpPort;
    this.channel =
        grpcPort <= 0
            ? null
            : ManagedChannelBuilder.forAddress(host, grpcPort)
                .usePlaintext()
                .maxInboundMessageSize(16 << 20)
                .build();
  }

  /**
   * Starts the hostile clients (the Act burst is sent before this returns).
   *
   * @param grpcPort the server's gRPC port (needed for Rank clients and the Act burst)
   * @param skill the skill Rank and Act calls name
   * @param texts candidate texts and user turns, in rotation
   */
  public static HostileLoad start(
      String host,
      int httpPort,
      int grpcPort,
      int idleSockets,
      int rankClients,
      int rankCandidates,
      int actBurst,
      String skill,
      List<String> texts)
      throws InterruptedException {
    if ((rankClients > 0 || actBurst > 0) && grpcPort <= 0) {
      throw new IllegalArgumentException(
          "hostile load: Rank clients and an Act burst need gRPC (a gRPC port)");
    }
    HostileLoad h = new HostileLoad(host, httpPort, grpcPort);
    for (int i = 0; i < idleSockets; i++) {
      boolean upgrade = i % 2 == 1;
      h.running.add(h.threads.submit(() -> h.holdIdleSocket(upgrade)));
    }
    List<String> candidates = new ArrayList<>(rankCandidates);
    for (int i = 0; i < rankCandidates; i++) {
      candidates.add(texts.get(i % texts.size()) + " " + i);
    }
    String context = String.join("\n", texts.subList(0, Math.min(8, texts.size())));
    for (int i = 0; i < rankClients; i++) {
      h.running.add(h.threads.submit(() -> h.rankLoop(skill, context, candidates)));
    }
    if (actBurst > 0) {
      h.actBurst(actBurst, skill, texts);
    }
    return h;
  }

  /** Holds one idle connection open, reopening it whenever the server closes it, until stopped. */
  private void holdIdleSocket(boolean upgrade) {
    while (!stopped) {
      boolean connected = false;
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(host, httpPort), 10_000);
        connected = true;
        synchronized (sockets) {
          sockets.add(s);
        }
        socketsOpened.increment();
        if (upgrade) { // a WebSocket handshake, then silence
          OutputStream out = s.getOutputStream();
          out.write(
              ("GET /websocket HTTP/1.1\r\nHost: "
                      + host
                      + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
          out.flush();
        }
        byte[] buf = new byte[4096];
        while (!stopped && s.getInputStream().read(buf) >= 0) {
          // discard what the server says (the 101, a refusal, a close frame) until it closes
        }
        if (!stopped) {
          socketsClosedByServer.increment();
        }
      } catch (IOException e) {
        if (!stopped) {
          (connected ? socketsClosedByServer : socketsNotConnected).increment();
          sleepQuietly(100);
        }
      } finally {
        synchronized (sockets) {
          sockets.removeIf(Socket::isClosed);
        }
      }
    }
  }

  private void rankLoop(String skill, String context, List<String> candidates) {
    int call = 0;
    while (!stopped) {
      // candidates new to the server every call, as a hostile client would send them: the
      // server's candidate cache (rank.candidateCacheMb) saves it nothing
      String tag = " #" + Thread.currentThread().getId() + "." + call++;
      RankRequest request =
          RankRequest.newBuilder()
              .setSkill(skill)
              .setContext(context)
              .addAllCandidates(candidates.stream().map(c -> c + tag).toList())
              .build();
      try {
        DialogueServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(RANK_DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
            .rank(request);
        ranksAnswered.increment();
      } catch (StatusRuntimeException e) {
        if (stopped) {
          return;
        }
        rankRefused
            .computeIfAbsent(e.getStatus().getCode().name(), k -> new AtomicInteger())
            .incrementAndGet();
        if (e.getStatus().getCode() != Status.Code.DEADLINE_EXCEEDED) {
          sleepQuietly(50); // refused at once: do not spin
        }
      }
    }
  }

  private void actBurst(int n, String skill, List<String> texts) throws InterruptedException {
    DialogueServiceGrpc.DialogueServiceStub stub = DialogueServiceGrpc.newStub(channel);
    CountDownLatch done = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      String text = i % 2 == 0 ? "[DONE]" : texts.get(i % texts.size());
      stub.withDeadlineAfter(60, TimeUnit.SECONDS)
          .act(
              ActRequest.newBuilder()
                  .setConversationId("hostile-" + UUID.randomUUID())
                  .setSkill(skill)
                  .setMessage(Message.newBuilder().setText(text))
                  .build(),
              new StreamObserver<ActResponse>() {
                @Override
                public void onNext(ActResponse value) {
                  actsAnswered.increment();
                }

                @Override
                public void onError(Throwable t) {
                  actRefused
                      .computeIfAbsent(
                          Status.fromThrowable(t).getCode().name(), k -> new AtomicInteger())
                      .incrementAndGet();
                  done.countDown();
                }

                @Override
                public void onCompleted() {
                  done.countDown();
                }
              });
    }
    done.await(90, TimeUnit.SECONDS);
  }

  /** What happened so far, for the report. */
  public Map<String, Object> counts() {
    Map<String, Object> m = new TreeMap<>();
    m.put("idle_sockets_opened", socketsOpened.sum());
    m.put("idle_sockets_closed_by_server", socketsClosedByServer.sum());
    m.put("idle_sockets_not_connected", socketsNotConnected.sum());
    m.put("rank_answered", ranksAnswered.sum());
    m.put("rank_refused", new TreeMap<>(Map.copyOf(rankRefused)));
    m.put("act_answered", actsAnswered.sum());
    m.put("act_refused", new TreeMap<>(Map.copyOf(actRefused)));
    return m;
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops every hostile client and closes its connections. */
  @Override
  public void close() {
    stopped = true;
    synchronized (sockets) {
      for (Socket s : sockets) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
    }
    if (channel != null) {
      channel.shutdownNow();
    }
    running.forEach(f -> f.cancel(true));
    threads.shutdownNow();
    try {
      threads.awaitTermination(10, TimeUnit.SECONDS);
      if (channel != null) {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
