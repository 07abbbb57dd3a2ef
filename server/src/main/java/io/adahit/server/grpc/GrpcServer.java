package io.adahit.server.grpc;

import io.adahit.proto.v1.DialogueServiceGrpc;
import io.adahit.server.ServerState;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingServerInterceptor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC listener: DialogueService, the standard health service ({@code grpc.health.v1},
 * NOT_SERVING until the skills are loaded) and server reflection, with Micrometer's gRPC meters.
 * Handlers run on the given bounded executor and only queue work; graceful {@link #stop}.
 *
 * <pre>{@code
 * GrpcServer grpc = new GrpcServer("127.0.0.1", 50051, state, executor, registry);
 * grpc.start();  grpc.serving();  ...  grpc.stop(Duration.ofSeconds(20));
 * }</pre>
 */
public final class GrpcServer {

  private final Server server;
  private final HealthStatusManager health = new HealthStatusManager();
  private boolean shutdown;

  public GrpcServer(
      String host, int port, ServerState state, ExecutorService executor, MeterRegistry registry) {
    this(host, port, state, executor, registry, null);
  }

  /**
   * @param admin the admin service (already wrapped in its token check), or null
   */
  public GrpcServer(
      String host,
      int port,
      ServerState state,
      ExecutorService executor,
      MeterRegistry registry,
      ServerServiceDefinition admin) {
    DialogueGrpcService service = new DialogueGrpcService(state, registry);
    MetricCollectingServerInterceptor metrics = new MetricCollectingServerInterceptor(registry);
    metrics.preregisterService(service);
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port));
    if (admin != null) {
      builder.addService(admin);
    }
    this.server =
        builder
            .executor(executor)
            .addService(service)
            .addService(health.getHealthService())
            .addService(ProtoReflectionServiceV1.newInstance())
            .intercept(metrics)
            .maxInboundMessageSize(16 << 20)
            .build();
    health.setStatus("", ServingStatus.NOT_SERVING);
    health.setStatus(DialogueServiceGrpc.SERVICE_NAME, ServingStatus.NOT_SERVING);
  }

  public void start() throws IOException {
    server.start();
  }

  /** Health reports SERVING (the skills are loaded). */
  public void serving() {
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(DialogueServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
  }

  public int port() {
    return server.getPort();
  }

  /** Stops taking calls; health says NOT_SERVING so balancers move away. */
  public synchronized void shutdown() {
    if (!shutdown) {
      shutdown = true;
      health.enterTerminalState();
      server.shutdown();
    }
  }

  /**
   * Waits for running calls, then cancels the rest (their clients get CANCELLED); all within {@code
   * limit}: the last quarter of it, at most 500 ms, is kept for the cancellation.
   */
  public void stop(Duration limit) {
    shutdown();
    long cancelMillis = Math.min(500, limit.toMillis() / 4);
    try {
      if (!server.awaitTermination(limit.toMillis() - cancelMillis, TimeUnit.MILLISECONDS)) {
        server.shutdownNow().awaitTermination(cancelMillis, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
  }
}
