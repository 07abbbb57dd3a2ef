package io.adahit.server.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.server.ServerState;
import io.adahit.server.config.ServerConfig;
import io.adahit.server.metrics.ServerMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyEventExecutorMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Netty listener: HTTP (chat page, /health, /metrics) and the ParlAI WebSocket at {@code
 * /websocket} on one port. One pipeline per connection: {@code HttpServerCodec →
 * HttpObjectAggregator → ConnectionGuard (counts the connection from accept, handshake timeout) →
 * HttpRoutes → WebSocketServerProtocolHandler (explicit max frame size) → WebSocketFrameAggregator
 * → [IdleStateHandler, once upgraded] → WebSocketChatHandler}.
 *
 * <pre>{@code
 * WebServer web = new WebServer(config.http(), state, metrics, prometheus, json);
 * web.start();  web.port();  ...  web.close();   // or stopAccepting(), closeConnections() step by step
 * }</pre>
 */
public final class WebServer implements AutoCloseable {

  private final ServerConfig.Http config;
  private final ServerState state;
  private final ServerMetrics metrics;
  private final HttpRoutes routes;
  private final ObjectMapper json;
  private final AtomicInteger connections =
      new AtomicInteger(); // every open connection, from accept
  private final AtomicInteger websockets = new AtomicInteger(); // those that are WebSocket chats
  private final ChannelHandler admin;
  private final ChannelGroup channels =
      new DefaultChannelGroup("adahit-websocket", GlobalEventExecutor.INSTANCE);
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private Channel server;

  public WebServer(
      ServerConfig.Http config,
      ServerState state,
      ServerMetrics metrics,
      PrometheusMeterRegistry prometheus,
      ObjectMapper json) {
    this(config, state, metrics, prometheus, json, null);
  }

  /**
   * @param admin the {@code /admin/} routes (a shared handler placed before the chat routes), or
   *     null
   */
  public WebServer(
      ServerConfig.Http config,
      ServerState state,
      ServerMetrics metrics,
      PrometheusMeterRegistry prometheus,
      ObjectMapper json,
      ChannelHandler admin) {
    this.admin = admin;
    this.config = config;
    this.state = state;
    this.metrics = metrics;
    this.json = json;
    this.routes =
        new HttpRoutes(state, prometheus, json, connections::get, config.maxConnections());
    metrics.gauge("adahit.websocket.connections", "open WebSocket connections", websockets::get);
    metrics.gauge(
        "adahit.http.connections",
        "open connections, counted from accept (HTTP and WebSocket)",
        connections::get);
  }

  /** Binds the port; returns once it accepts connections. */
  public void start() throws InterruptedException {
    boss =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("adahit-http-boss"), NioIoHandler.newFactory());
    workers =
        new MultiThreadIoEventLoopGroup(
            0, new DefaultThreadFactory("adahit-http"), NioIoHandler.newFactory());
    new NettyEventExecutorMetrics(workers).bindTo(metrics.registry());
    new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT).bindTo(metrics.registry());
    WebSocketServerProtocolConfig ws =
        WebSocketServerProtocolConfig.newBuilder()
            .websocketPath(HttpRoutes.WEBSOCKET_PATH)
            .checkStartsWith(true) // allow ?skill=...
            .maxFramePayloadLength(config.maxFrameBytes())
            .handleCloseFrames(true)
            .build();
    ServerBootstrap b =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    channels.add(ch);
                    ChannelPipeline p = ch.pipeline();
                    p.addLast(new HttpServerCodec());
                    p.addLast(new HttpObjectAggregator(64 * 1024));
                    p.addLast(
                        new ConnectionGuard(
                            connections,
                            config.maxConnections(),
                            TimeUnit.SECONDS.toMillis(config.handshakeTimeoutSeconds()),
                            metrics));
                    if (admin != null) {
                      p.addLast(admin);
                    }
                    p.addLast(routes);
                    p.addLast(new WebSocketServerProtocolHandler(ws));
                    p.addLast(new WebSocketFrameAggregator(config.maxFrameBytes()));
                    p.addLast(
                        new WebSocketChatHandler(
                            json,
                            state,
                            metrics,
                            websockets,
                            config.maxConnections(),
                            config.maxPendingTurns(),
                            config.firstMessageTimeoutSeconds(),
                            config.idleTimeoutSeconds()));
                  }
                });
    server = b.bind(new InetSocketAddress(config.host(), config.port())).sync().channel();
  }

  /** The bound port (the configured one, or the one chosen for port 0). */
  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  public String host() {
    return config.host();
  }

  /** Open connections, counted from accept (HTTP and WebSocket). */
  public int connections() {
    return connections.get();
  }

  /** Open WebSocket chats. */
  public int websockets() {
    return websockets.get();
  }

  /** Stops accepting connections; open ones keep running. */
  public void stopAccepting() {
    if (server != null) {
      server.close().syncUninterruptibly();
    }
  }

  /** Tells every open WebSocket that the server is going away (1001) and closes it. */
  public void closeConnections() {
    closeConnections(Duration.ofSeconds(2));
  }

  private void closeConnections(Duration limit) {
    for (Channel ch : channels) {
      if (ch.pipeline().get(WebSocketChatHandler.class) != null && ch.isActive()) {
        ch.writeAndFlush(
            new CloseWebSocketFrame(
                WebSocketCloseStatus.ENDPOINT_UNAVAILABLE, "server shutting down"));
      }
    }
    channels.close().awaitUninterruptibly(limit.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(6));
  }

  /**
   * {@link #close()} within {@code limit}: half for the 1001 closes, a quarter for each event loop
   * group.
   */
  public void close(Duration limit) {
    long ms = Math.max(0, limit.toMillis());
    stopAccepting();
    closeConnections(Duration.ofMillis(ms / 2));
    if (workers != null) {
      workers.shutdownGracefully(0, ms / 4, TimeUnit.MILLISECONDS).awaitUninterruptibly(ms / 4 + 1);
      boss.shutdownGracefully(0, ms / 4, TimeUnit.MILLISECONDS).awaitUninterruptibly(ms / 4 + 1);
    }
  }
}
