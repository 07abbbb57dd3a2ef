package io.adahit.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Admin HTTP routing on an EmbeddedChannel, before any operation runs (the server is not ready).
 */
class AdminHttpHandlerTest {

  private static final String TOKEN = "0123456789abcdef-token";

  private static FullHttpResponse get(String uri) {
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new AdminHttpHandler(
                new ObjectMapper(), AdminAuth.withToken(TOKEN), () -> null, Runnable::run));
    FullHttpRequest req =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.GET, uri, Unpooled.EMPTY_BUFFER);
    req.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + TOKEN);
    ch.writeInbound(req);
    ch.checkException();
    FullHttpResponse res = ch.readOutbound();
    ch.finishAndReleaseAll();
    return res;
  }

  @Test
  void aReportPathWithoutAnExperimentNameIsNoRouteNotACrash() {
    FullHttpResponse res = get("/admin/experiments/report");
    assertThat(res).as("an answer on the channel").isNotNull();
    assertThat(res.status().code()).isEqualTo(404);
    assertThat(res.content().toString(StandardCharsets.UTF_8))
        .contains("no admin route GET /admin/experiments/report");
    res.release();
  }

  @Test
  void aReportPathWithANameReachesTheOperations() {
    FullHttpResponse res = get("/admin/experiments/convai2-da/report");
    assertThat(res.status().code())
        .as("routed; the operations are not ready in this test")
        .isEqualTo(503);
    res.release();
  }
}
