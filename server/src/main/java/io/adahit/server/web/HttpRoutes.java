package io.adahit.server.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adahit.server.ServerState;
import io.adahit.server.metrics.PrometheusScrape;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;

/**
 * Plain HTTP routes beside the WebSocket: {@code /} the chat page, {@code /health} readiness (200
 * only when the backbone and skills are loaded, 503 before and while stopping; while starting,
 * {@code progress} gives the stage and the candidate pools encoded so far; when ready, {@code
 * accepting_conversations} false and {@code refusing} say that new chats are being refused for a
 * full conversation table or connection limit), {@code /metrics} Prometheus text. {@code
 * /websocket} passes on to the WebSocket handshake; anything else is 404. Stateless, shared by
 * every channel.
 */
@ChannelHandler.Sharable
final class HttpRoutes extends SimpleChannelInboundHandler<FullHttpRequest> {

  static final String WEBSOCKET_PATH = "/websocket";
  private static final String PAGE = "io/adahit/server/web/index.html";

  private final ServerState state;
  private final PrometheusMeterRegistry prometheus;
  private final ObjectMapper json;
  private final byte[] page;
  private final IntSupplier connections;
  private final int maxConnections;

  HttpRoutes(ServerState state, PrometheusMeterRegistry prometheus, ObjectMapper json) {
    this(state, prometheus, json, () -> 0, Integer.MAX_VALUE);
  }

  /**
   * @param connections open connections (counted from accept), for {@code /health}
   * @param maxConnections {@code http.maxConnections}
   */
  HttpRoutes(
      ServerState state,
      PrometheusMeterRegistry prometheus,
      ObjectMapper json,
      IntSupplier connections,
      int maxConnections) {
    super(false);
    this.connections = connections;
    this.maxConnections = maxConnections;
    this.state = state;
    this.prometheus = prometheus;
    this.json = json;
    try (InputStream in = HttpRoutes.class.getClassLoader().getResourceAsStream(PAGE)) {
      if (in == null) {
        throw new IllegalStateException("chat page missing from the jar: " + PAGE);
      }
      this.page = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws Exception {
    String path = new QueryStringDecoder(req.uri()).path();
    if (path.equals(WEBSOCKET_PATH)) {
      ctx.fireChannelRead(req); // the handshake handler takes it (and releases it)
      return;
    }
    try {
      if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
        send(
            ctx,
            req,
            HttpResponseStatus.METHOD_NOT_ALLOWED,
            "text/plain; charset=utf-8",
            bytes("only GET is served here\n"));
        return;
      }
      switch (path) {
        case "/", "/index.html" ->
            send(ctx, req, HttpResponseStatus.OK, "text/html; charset=utf-8", page);
        case "/health" -> health(ctx, req);
        case "/metrics" ->
            send(
                ctx,
                req,
                HttpResponseStatus.OK,
                PrometheusScrape.CONTENT_TYPE,
                bytes(PrometheusScrape.text(prometheus)));
        case "/favicon.ico" ->
            send(ctx, req, HttpResponseStatus.NO_CONTENT, "text/plain", new byte[0]);
        default ->
            send(
                ctx,
                req,
                HttpResponseStatus.NOT_FOUND,
                "text/plain; charset=utf-8",
                bytes("not found: " + path + " (routes: /, /websocket, /health, /metrics)\n"));
      }
    } finally {
      req.release();
    }
  }

  private void health(ChannelHandlerContext ctx, FullHttpRequest req) throws IOException {
    ObjectNode n = json.createObjectNode();
    n.put("status", state.phase().name().toLowerCase());
    n.put("ready", state.ready());
    n.put("detail", state.detail());
    state
        .progress()
        .ifPresent(
            p -> {
              ObjectNode g = n.putObject("progress");
              g.put("stage", p.stage());
              g.put("pools_done", p.poolsDone());
              g.put("pools_total", p.poolsTotal());
              g.put("candidates_done", p.candidatesDone());
              g.put("candidates_total", p.candidatesTotal());
            });
    state
        .chat()
        .ifPresent(
            c -> {
              n.set("skills", json.valueToTree(c.skills().names()));
              n.put("default_skill", c.skills().defaultSkill());
              n.put("open_conversations", c.openCount());
              // ready, yet possibly refusing new chats: say so, so a balancer or an operator can
              // tell
              String refusing = c.refusing();
              int open = connections.getAsInt();
              if (refusing == null && open >= maxConnections) {
                refusing =
                    "refusing new WebSocket chats: "
                        + open
                        + " connections open, http.maxConnections is "
                        + maxConnections;
              }
              n.put("accepting_conversations", refusing == null);
              if (refusing != null) {
                n.put("refusing", refusing);
              }
              n.set("conversations_by_transport", json.valueToTree(c.openByTransport()));
              n.put("connections", open);
              n.put("max_connections", maxConnections);
            });
    send(
        ctx,
        req,
        state.ready() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
        "application/json",
        json.writeValueAsBytes(n));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void send(
      ChannelHandlerContext ctx,
      FullHttpRequest req,
      HttpResponseStatus status,
      String type,
      byte[] body) {
    boolean head = req.method().equals(HttpMethod.HEAD);
    FullHttpResponse res =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    res.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
    HttpUtil.setContentLength(res, body.length);
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    if (keepAlive) {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(res);
    } else {
      ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
