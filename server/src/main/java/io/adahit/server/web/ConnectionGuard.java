package io.adahit.server.web;

import io.adahit.server.metrics.ServerMetrics;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Guards one connection from the moment it is accepted: counts it among {@code http.maxConnections}
 * (every connection, whether it ever upgrades to a WebSocket or not), and closes it if it does not
 * send a whole HTTP request within {@code http.handshakeTimeoutSeconds} of being accepted or of its
 * last response (a silent socket, a half-sent request, a keep-alive connection left idle). The
 * deadline is not moved by partial reads, so a client trickling bytes is closed too. Once the
 * connection has switched to WebSocket (the 101 response went out) the deadline no longer applies:
 * {@link WebSocketChatHandler} then keeps the chat's own idle timeout. New per channel; sits after
 * the HTTP aggregator, so it sees whole requests in and every response out.
 *
 * <pre>{@code
 * pipeline.addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
 *     new ConnectionGuard(connections, 256, 10_000, metrics), ...);   // handshake timeout in ms
 * }</pre>
 */
final class ConnectionGuard extends ChannelDuplexHandler {

  private final AtomicInteger connections;
  private final int maxConnections;
  private final long handshakeTimeoutMillis;
  private final ServerMetrics metrics;
  private boolean counted;
  private boolean overLimitAtAccept;
  private boolean upgraded;
  private ScheduledFuture<?> deadline;

  /**
   * @param connections the server's count of open connections, shared by every guard
   * @param handshakeTimeoutMillis how long a request may take to arrive in full
   */
  ConnectionGuard(
      AtomicInteger connections,
      int maxConnections,
      long handshakeTimeoutMillis,
      ServerMetrics metrics) {
    this.connections = connections;
    this.maxConnections = maxConnections;
    this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    this.metrics = metrics;
  }

  /**
   * Whether this connection is one too many: it was accepted beyond {@code http.maxConnections} and
   * the server still holds more than that. Its HTTP requests are answered (health probes), but a
   * WebSocket chat is refused with 1013.
   */
  boolean overLimit() {
    return overLimitAtAccept && connections.get() > maxConnections;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      accepted(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    accepted(ctx);
    super.channelActive(ctx);
  }

  private void accepted(ChannelHandlerContext ctx) {
    if (!counted) {
      counted = true;
      overLimitAtAccept = connections.incrementAndGet() > maxConnections;
      arm(ctx);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    disarm();
    if (counted) {
      counted = false;
      connections.decrementAndGet();
    }
    super.channelInactive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (!upgraded && msg instanceof FullHttpRequest) {
      disarm(); // the request is in: now it is the server's turn
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    if (!upgraded
        && msg instanceof HttpResponse r
        && r.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS)) {
      upgraded = true; // a WebSocket from now on: its idle timeout is the chat handler's
      disarm();
    } else if (!upgraded && msg instanceof LastHttpContent) {
      arm(ctx); // answered: the next request must arrive in time
    }
    super.write(ctx, msg, promise);
  }

  private void arm(ChannelHandlerContext ctx) {
    disarm();
    deadline =
        ctx.executor()
            .schedule(
                () -> {
                  if (!upgraded && ctx.channel().isActive()) {
                    metrics.error("handshake_timeout");
                    ctx.close();
                  }
                },
                handshakeTimeoutMillis,
                TimeUnit.MILLISECONDS);
  }

  private void disarm() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }
}
