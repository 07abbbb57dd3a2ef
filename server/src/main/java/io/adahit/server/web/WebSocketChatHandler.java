package io.adahit.server.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adahit.server.ServerState;
import io.adahit.server.chat.BadRequestException;
import io.adahit.server.experiments.Feedback;
import io.adahit.server.metrics.ServerMetrics;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Speaks ParlAI's chat-service JSON on one WebSocket: parses {@code {"text", "payload"}} frames
 * (other fields, such as the {@code id} ParlAI's terminal client sends, are ignored), hands them to
 * the connection's {@link ChatSession}, and writes each reply as {@code {"text", "quick_replies",
 * "payload"}}, in order. Bad input (malformed JSON, no text, binary frames) is answered with an
 * error message and the connection stays open; a frame over the size limit closes it with 1009;
 * connections beyond the limit ({@link ConnectionGuard#overLimit}) are told so and closed with
 * 1013; a client that sends no message within {@code http.firstMessageTimeoutSeconds} of the
 * upgrade or for {@code http.idleTimeoutSeconds} later (pings do not count), or whose chat is
 * closed for being idle ({@code conversations.idleTimeoutSeconds}), is closed with 1001. New per
 * channel; inference runs on the scheduler's thread, never on the event loop.
 */
final class WebSocketChatHandler extends SimpleChannelInboundHandler<WebSocketFrame> {

  private static final Logger LOG = LoggerFactory.getLogger(WebSocketChatHandler.class);

  private final ObjectMapper json;
  private final ServerState state;
  private final ServerMetrics metrics;
  private final AtomicInteger websockets;
  private final int maxConnections;
  private final int maxPending;
  private final int firstMessageSeconds;
  private final int idleSeconds;
  private boolean heard; // a message came: the idle timeout replaces the first-message one
  private ChatSession session;
  private String querySkill;
  private boolean counted;
  private int pending;
  private CompletableFuture<Void> outTail = CompletableFuture.completedFuture(null);

  WebSocketChatHandler(
      ObjectMapper json,
      ServerState state,
      ServerMetrics metrics,
      AtomicInteger connections,
      int maxConnections,
      int maxPending) {
    this(json, state, metrics, connections, maxConnections, maxPending, 60, 600);
  }

  /**
   * @param websockets open WebSocket chats (counted once upgraded and accepted)
   * @param firstMessageSeconds a client that sends no message this long after the upgrade is closed
   *     with 1001
   * @param idleSeconds a client that sends no message this long is closed with 1001
   */
  WebSocketChatHandler(
      ObjectMapper json,
      ServerState state,
      ServerMetrics metrics,
      AtomicInteger websockets,
      int maxConnections,
      int maxPending,
      int firstMessageSeconds,
      int idleSeconds) {
    this.firstMessageSeconds = firstMessageSeconds;
    this.json = json;
    this.state = state;
    this.metrics = metrics;
    this.websockets = websockets;
    this.maxConnections = maxConnections;
    this.maxPending = maxPending;
    this.idleSeconds = idleSeconds;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) { // no message from the client in time
      closeIdle(
          ctx,
          heard
              ? "no message for " + idleSeconds + " s (http.idleTimeoutSeconds)"
              : "no first message within "
                  + firstMessageSeconds
                  + " s (http.firstMessageTimeoutSeconds)");
      return;
    }
    if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete hs) {
      ConnectionGuard guard = ctx.pipeline().get(ConnectionGuard.class);
      if (guard != null && guard.overLimit()) {
        metrics.error("too_many_connections");
        String why =
            "too many connections: the server accepts at most "
                + maxConnections
                + " WebSocket connections; try again later";
        ctx.writeAndFlush(
            new TextWebSocketFrame(
                format(
                    new ChatSession.Outbound(
                        "Error: " + why, null, Map.of("error", "too_many_connections")))));
        ctx.writeAndFlush(
                new CloseWebSocketFrame(
                    WebSocketCloseStatus.TRY_AGAIN_LATER, "too many connections"))
            .addListener(ChannelFutureListener.CLOSE);
        return;
      }
      counted = true;
      websockets.incrementAndGet();
      // only messages reach this point of the pipeline (pings and closes are answered before it)
      ctx.pipeline()
          .addBefore(
              ctx.name(),
              "idle",
              new IdleStateHandler(firstMessageSeconds, 0, 0, TimeUnit.SECONDS));
      List<String> skill = new QueryStringDecoder(hs.requestUri()).parameters().get("skill");
      querySkill = skill == null || skill.isEmpty() ? null : skill.get(0);
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (!heard) {
      heard = true;
      if (ctx.pipeline().get("idle") != null) {
        ctx.pipeline()
            .replace("idle", "idle", new IdleStateHandler(idleSeconds, 0, 0, TimeUnit.SECONDS));
      }
    }
    if (!(frame instanceof TextWebSocketFrame text)) {
      reply(
          ctx,
          CompletableFuture.completedFuture(
              badRequest(
                  "bad_frame",
                  "only text frames holding JSON are accepted, e.g. {\"text\": \"hello\"}")));
      return;
    }
    if (session == null) {
      if (!state.ready() || state.chat().isEmpty()) {
        reply(
            ctx,
            CompletableFuture.completedFuture(
                new ChatSession.Outbound(
                    "Error: the server is not ready (" + state.detail() + "); try again shortly",
                    null,
                    Map.of("error", "not_ready"))));
        return;
      }
      session =
          new ChatSession(
              state.chat().get(),
              querySkill,
              () ->
                  ctx.executor()
                      .execute(
                          () ->
                              closeIdle(
                                  ctx, "chat idle, closed (conversations.idleTimeoutSeconds)")));
    }
    ChatSession.Inbound in;
    try {
      in = parse(text.text());
    } catch (BadRequestException e) {
      reply(ctx, CompletableFuture.completedFuture(badRequest(e.kind(), e.getMessage())));
      return;
    } catch (IllegalArgumentException e) {
      reply(ctx, CompletableFuture.completedFuture(badRequest("bad_json", e.getMessage())));
      return;
    }
    if (pending >= maxPending) {
      reply(
          ctx,
          CompletableFuture.completedFuture(
              badRequest(
                  "too_many_pending",
                  "too many messages waiting for replies (at most "
                      + maxPending
                      + "); wait for the replies")));
      return;
    }
    reply(ctx, session.onMessage(in));
  }

  private ChatSession.Outbound badRequest(String kind, String message) {
    metrics.error(kind);
    return new ChatSession.Outbound("Error: " + message, null, Map.of("error", kind));
  }

  /** Sends replies in the order their messages came, whatever order they complete in. */
  private void reply(ChannelHandlerContext ctx, CompletableFuture<ChatSession.Outbound> out) {
    pending++;
    outTail =
        outTail
            .thenCompose(v -> out)
            .thenAccept(
                o -> {
                  ctx.writeAndFlush(new TextWebSocketFrame(format(o)));
                  ctx.executor().execute(() -> pending--);
                });
  }

  ChatSession.Inbound parse(String frame) {
    JsonNode node;
    try {
      node = json.readTree(frame);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "malformed JSON: "
              + e.getOriginalMessage()
              + "; send an object such as {\"text\": \"hello\"}");
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(
          "expected a JSON object such as {\"text\": \"hello\"}, found "
              + (node == null ? "nothing" : node.getNodeType().toString().toLowerCase()));
    }
    JsonNode t = node.get("text");
    if (t != null && !t.isNull() && !t.isTextual()) {
      throw new IllegalArgumentException(
          "\"text\" must be a string, found " + t.getNodeType().toString().toLowerCase());
    }
    String skill = null;
    JsonNode payload = node.get("payload");
    if (payload != null
        && payload.isObject()
        && payload.get("skill") != null
        && payload.get("skill").isTextual()) {
      skill = payload.get("skill").asText();
    }
    return new ChatSession.Inbound(
        t == null || t.isNull() ? null : t.asText(), skill, feedback(node.get("feedback")));
  }

  /**
   * {@code {"feedback": {"rating": 1-5, "thumbs": "up"|"down", "turn": N}}} (rating or thumbs or
   * both; turn: the bot reply rated, 1 = the episode's first; none = the whole conversation), or
   * null.
   */
  private static Feedback feedback(JsonNode f) {
    if (f == null || f.isNull()) {
      return null;
    }
    String example =
        "; send e.g. {\"feedback\": {\"rating\": 4}} or {\"feedback\": {\"thumbs\": \"up\", \"turn\": 2}}";
    if (!f.isObject()) {
      throw new BadRequestException(
          "bad_feedback",
          "\"feedback\" must be an object, found "
              + f.getNodeType().toString().toLowerCase()
              + example);
    }
    JsonNode rating = f.get("rating");
    JsonNode thumbs = f.get("thumbs");
    JsonNode turn = f.get("turn");
    if (thumbs != null && !thumbs.isNull() && !thumbs.isTextual()) {
      throw new BadRequestException(
          "bad_feedback",
          "feedback \"thumbs\" must be \"up\" or \"down\", found " + thumbs + example);
    }
    Integer r = intIn(rating, "rating", 1, 5, example);
    Integer t = intIn(turn, "turn", 1, Feedback.MAX_TURN, example);
    try {
      return Feedback.of(r, thumbs == null || thumbs.isNull() ? null : thumbs.asText(), t);
    } catch (IllegalArgumentException e) {
      throw new BadRequestException("bad_feedback", e.getMessage());
    }
  }

  /**
   * The integer value of {@code n} (null if absent), checked against {@code min..max} on the JSON
   * number itself ({@code asInt()} would wrap 4294967297 to 1).
   */
  private static Integer intIn(JsonNode n, String field, int min, int max, String example) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < min || n.intValue() > max) {
      throw new BadRequestException(
          "bad_feedback",
          "feedback \""
              + field
              + "\" must be an integer "
              + min
              + "-"
              + max
              + ", found "
              + n
              + example);
    }
    return n.intValue();
  }

  String format(ChatSession.Outbound o) {
    ObjectNode n = json.createObjectNode();
    n.put("text", o.text());
    n.set(
        "quick_replies",
        o.quickReplies() == null ? n.nullNode() : json.valueToTree(o.quickReplies()));
    if (o.payload() != null && !o.payload().isEmpty()) {
      n.set("payload", json.valueToTree(o.payload()));
    }
    try {
      return json.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Tells the client why (1001, going away) and closes the connection. */
  private void closeIdle(ChannelHandlerContext ctx, String why) {
    if (!ctx.channel().isActive()) {
      return;
    }
    metrics.error("idle_timeout");
    ctx.writeAndFlush(
            new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE, "idle: " + why))
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (counted) {
      websockets.decrementAndGet();
    }
    if (session != null) {
      session.onClose();
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof TooLongFrameException
        || cause instanceof CorruptedWebSocketFrameException) {
      metrics.error("frame_too_large");
      ctx.writeAndFlush(
              new CloseWebSocketFrame(WebSocketCloseStatus.MESSAGE_TOO_BIG, cause.getMessage()))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    LOG.debug("websocket connection error: {}", cause.toString());
    ctx.close();
  }
}
