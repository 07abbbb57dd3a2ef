package io.adahit.server.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adahit.agents.errors.ErrorKind;
import io.adahit.server.experiments.Experiment;
import io.adahit.server.experiments.ExperimentService;
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
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The admin API as HTTP JSON, for curl users, beside the chat routes (same port). Every call needs
 * {@code Authorization: Bearer <token>}; work runs on the admin executor, and the reply is written
 * back through the channel. Other paths pass on to the next handler. Stateless, shared.
 *
 * <pre>
 * GET  /admin/adapters                      served skills and experiment variants
 * POST /admin/adapters/load     {"skill": "bst2", "dir": "bst2"}
 * POST /admin/adapters/replace  {"skill": "convai2", "dir": "convai2_v2"}
 * POST /admin/adapters/unload   {"skill": "bst2"}
 * GET  /admin/experiments
 * POST /admin/experiments       {"name": "convai2-da", "skill": "convai2", "variants": [...]}
 * POST /admin/experiments/stop  {"name": "convai2-da"}
 * GET  /admin/experiments/NAME/report
 * GET  /admin/desired                       this replica's applied desired-state version, problems,
 *                                           served skills with their adapter fingerprints
 * </pre>
 *
 * Errors: {@code {"error": kind, "message": ...}} with 400, 401, 404, 405, 409, 500 or 503.
 */
@ChannelHandler.Sharable
public final class AdminHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  /** Route prefix. */
  public static final String PREFIX = "/admin/";

  /** A route's work on the admin executor. */
  @FunctionalInterface
  private interface Work {
    Object run(AdminOperations ops, JsonNode body) throws Exception;
  }

  private final ObjectMapper json;
  private final AdminAuth auth;
  private final Supplier<AdminOperations> operations;
  private final Executor executor;

  /**
   * @param operations the admin operations, or null from the supplier while the server is not ready
   */
  public AdminHttpHandler(
      ObjectMapper json, AdminAuth auth, Supplier<AdminOperations> operations, Executor executor) {
    super(false);
    this.json = json;
    this.auth = auth;
    this.operations = operations;
    this.executor = executor;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    String path = new QueryStringDecoder(req.uri()).path();
    if (!path.startsWith(PREFIX) && !path.equals("/admin")) {
      ctx.fireChannelRead(req);
      return;
    }
    try {
      handle(ctx, req, path);
    } finally {
      req.release();
    }
  }

  private void handle(ChannelHandlerContext ctx, FullHttpRequest req, String path) {
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    try {
      auth.check(req.headers().get(HttpHeaderNames.AUTHORIZATION));
    } catch (AdminAuth.AdminAuthException e) {
      error(
          ctx,
          keepAlive,
          ErrorKind.UNAUTHENTICATED.httpStatus(),
          ErrorKind.UNAUTHENTICATED.tag(),
          e.getMessage());
      return;
    }
    Work work = route(req.method(), path);
    if (work == null) {
      error(
          ctx,
          keepAlive,
          404,
          "not_found",
          "no admin route "
              + req.method()
              + " "
              + path
              + "; routes: GET"
              + " /admin/adapters, POST /admin/adapters/{load,replace,unload}, GET|POST /admin/experiments,"
              + " POST /admin/experiments/stop, GET /admin/experiments/NAME/report, GET /admin/desired");
      return;
    }
    JsonNode body;
    try {
      String text = req.content().toString(StandardCharsets.UTF_8);
      body = text.isBlank() ? json.createObjectNode() : json.readTree(text);
    } catch (JsonProcessingException e) {
      error(ctx, keepAlive, 400, "bad_json", "malformed JSON body: " + e.getOriginalMessage());
      return;
    }
    AdminOperations ops = operations.get();
    if (ops == null) {
      error(ctx, keepAlive, 503, "not_ready", "the server is not ready");
      return;
    }
    CompletableFuture.supplyAsync(
            () -> {
              try {
                return work.run(ops, body);
              } catch (Exception e) {
                throw new CompletionException(e);
              }
            },
            executor)
        .whenComplete(
            (result, e) -> {
              if (e != null) {
                error(
                    ctx,
                    keepAlive,
                    AdminErrors.kind(e).httpStatus(),
                    ErrorKind.tag(e),
                    AdminErrors.message(e));
              } else {
                send(ctx, keepAlive, 200, result);
              }
            });
  }

  /** The route's work, or null for an unknown route. */
  private Work route(HttpMethod method, String path) {
    boolean get = method.equals(HttpMethod.GET);
    boolean post = method.equals(HttpMethod.POST);
    if (path.equals("/admin/adapters") && get) {
      return (ops, b) ->
          Map.of("adapters", ops.adapters().stream().map(AdminHttpHandler::view).toList());
    }
    if (path.equals("/admin/adapters/load") && post) {
      return (ops, b) -> view(ops.load(text(b, "skill"), text(b, "dir")));
    }
    if (path.equals("/admin/adapters/replace") && post) {
      return (ops, b) -> view(ops.replace(text(b, "skill"), text(b, "dir")));
    }
    if (path.equals("/admin/adapters/unload") && post) {
      return (ops, b) -> {
        ops.unload(text(b, "skill"));
        return Map.of("unloaded", text(b, "skill"));
      };
    }
    if (path.equals("/admin/desired") && get) {
      return (ops, b) -> {
        DesiredState.Status st = ops.desiredStatus();
        if (st == null) {
          throw new io.adahit.agents.errors.ConflictException(
              "no event store (events.url is null): admin changes"
                  + " are not shared between replicas");
        }
        return st;
      };
    }
    if (path.equals("/admin/experiments") && get) {
      return (ops, b) ->
          Map.of("experiments", ops.experiments().stream().map(AdminHttpHandler::view).toList());
    }
    if (path.equals("/admin/experiments") && post) {
      return (ops, b) -> view(ops.define(experiment(b)));
    }
    if (path.equals("/admin/experiments/stop") && post) {
      return (ops, b) -> {
        ops.stop(text(b, "name"));
        return Map.of("stopped", text(b, "name"));
      };
    }
    String experiments = "/admin/experiments/";
    String report = "/report";
    // "/admin/experiments/report" matches both ends with one shared "/": no route, not an index
    // error
    if (path.startsWith(experiments)
        && path.endsWith(report)
        && path.length() >= experiments.length() + report.length()
        && get) {
      String name = path.substring(experiments.length(), path.length() - report.length());
      return (ops, b) -> ops.report(name);
    }
    return null;
  }

  private Experiment experiment(JsonNode body) {
    try {
      return json.treeToValue(body, Experiment.class);
    } catch (JsonProcessingException e) {
      Throwable cause = e.getCause();
      throw new IllegalArgumentException(
          cause instanceof IllegalArgumentException
              ? cause.getMessage()
              : "bad experiment definition: "
                  + e.getOriginalMessage()
                  + "; expected {\"name\", \"skill\", \"variants\":"
                  + " [{\"name\", \"adapter\", \"weight\"}, ...]}");
    }
  }

  private static String text(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new IllegalArgumentException("the JSON body needs a string field \"" + field + "\"");
    }
    return v.asText();
  }

  private static Map<String, Object> view(AdminOperations.AdapterView v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("skill", v.info().skill());
    m.put("dir", v.info().dir());
    m.put("kind", v.info().kind());
    m.put("weights_fingerprint", v.info().weightsFingerprint());
    m.put("parameter_count", v.info().parameterCount());
    m.put("candidate_count", v.info().candidates());
    m.put("in_flight", v.info().inFlight());
    if (v.experiment() != null) {
      m.put("experiment", v.experiment());
      m.put("variant", v.variant());
    }
    return m;
  }

  private static Map<String, Object> view(ExperimentService.Running r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("definition", r.experiment());
    m.put("source", r.source());
    m.put("prepared_variants", List.copyOf(r.variants().keySet()));
    return m;
  }

  private void error(
      ChannelHandlerContext ctx, boolean keepAlive, int status, String kind, String message) {
    ObjectNode n = json.createObjectNode();
    n.put("error", kind);
    n.put("message", message);
    send(ctx, keepAlive, status, n);
  }

  private void send(ChannelHandlerContext ctx, boolean keepAlive, int status, Object body) {
    byte[] bytes;
    try {
      bytes = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      bytes =
          ("{\"error\": \"internal\", \"message\": \"response not serialisable\"}")
              .getBytes(StandardCharsets.UTF_8);
      status = 500;
    }
    FullHttpResponse res =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(status),
            Unpooled.wrappedBuffer(bytes));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    res.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
    HttpUtil.setContentLength(res, bytes.length);
    if (keepAlive) {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(res);
    } else {
      ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
