package io.adahit.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.server.ServerState;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The HTTP routes in an EmbeddedChannel: no model needed. */
class HttpRoutesTest {

  private final ServerState state = new ServerState();
  private final PrometheusMeterRegistry prometheus =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  private FullHttpResponse get(String uri, HttpMethod method) {
    EmbeddedChannel ch = new EmbeddedChannel(new HttpRoutes(state, prometheus, new ObjectMapper()));
    ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri));
    FullHttpResponse r = ch.readOutbound();
    ch.finishAndReleaseAll();
    return r;
  }

  @Test
  void healthIsUnavailableWhileTheModelLoadsAndWhenStartFailed() {
    FullHttpResponse r = get("/health", HttpMethod.GET);
    assertThat(r.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
    assertThat(r.content().toString(StandardCharsets.UTF_8))
        .contains("\"status\":\"starting\"")
        .contains("\"ready\":false");
    r.release();
    state.failed("skills: no servable skill");
    r = get("/health", HttpMethod.GET);
    assertThat(r.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
    assertThat(r.content().toString(StandardCharsets.UTF_8)).contains("no servable skill");
    r.release();
  }

  @Test
  void metricsArePrometheusText() {
    prometheus.counter("adahit.turns", "skill", "base").increment();
    FullHttpResponse r = get("/metrics", HttpMethod.GET);
    assertThat(r.status()).isEqualTo(HttpResponseStatus.OK);
    assertThat(r.headers().get("content-type")).startsWith("text/plain; version=0.0.4");
    assertThat(r.content().toString(StandardCharsets.UTF_8))
        .contains("adahit_turns_total{skill=\"base\"} 1.0");
    r.release();
  }

  @Test
  void unknownPathsAre404AndOtherMethods405() {
    FullHttpResponse r = get("/admin", HttpMethod.GET);
    assertThat(r.status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
    r.release();
    r = get("/health", HttpMethod.POST);
    assertThat(r.status()).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
    r.release();
  }

  @Test
  void theChatPageIsServedAtTheRoot() {
    FullHttpResponse r = get("/", HttpMethod.GET);
    assertThat(r.status()).isEqualTo(HttpResponseStatus.OK);
    assertThat(r.headers().get("content-type")).startsWith("text/html");
    assertThat(r.content().toString(StandardCharsets.UTF_8)).contains("new WebSocket(");
    r.release();
  }
}
