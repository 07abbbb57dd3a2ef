package io.adahit.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.server.ServerState;
import io.adahit.server.config.ConfigLoader;
import io.adahit.server.config.ServerConfig;
import io.adahit.server.metrics.ServerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Idle and silent sockets cannot hold the connection slots: every connection counts from accept,
 * one that does not send a whole request within http.handshakeTimeoutSeconds (1 s here) is closed,
 * and a WebSocket whose client says nothing within http.firstMessageTimeoutSeconds (1 s) of its
 * upgrade, or for http.idleTimeoutSeconds (3 s) later, is closed with 1001. The listener alone, on
 * loopback; no model is needed for any of it.
 */
class ConnectionTimeoutsTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private WebServer web;
  private final PrometheusMeterRegistry prometheus =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @BeforeEach
  void start() throws Exception {
    start(1);
  }

  private void start(int handshakeSeconds) throws Exception {
    ServerConfig c =
        ConfigLoader.load(
            null,
            Map.of(
                "http.port",
                "0",
                "http.maxConnections",
                "3",
                "http.handshakeTimeoutSeconds",
                Integer.toString(handshakeSeconds),
                "http.firstMessageTimeoutSeconds",
                "1",
                "http.idleTimeoutSeconds",
                "3"));
    web =
        new WebServer(
            c.http(),
            new ServerState(),
            new ServerMetrics(prometheus),
            prometheus,
            new ObjectMapper());
    web.start();
  }

  @AfterEach
  void stop() {
    web.close();
  }

  private Socket connect() throws Exception {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", web.port()), 10_000);
    s.setSoTimeout((int) WAIT.toMillis());
    return s;
  }

  private void awaitConnections(int n) throws InterruptedException {
    for (int i = 0; i < 600 && web.connections() != n; i++) {
      Thread.sleep(10);
    }
    assertThat(web.connections()).as("connections open").isEqualTo(n);
  }

  /** Reads until the server closes the socket; fails (read timeout) if it never does. */
  private static String readUntilClosed(Socket s) throws Exception {
    InputStream in = s.getInputStream();
    StringBuilder got = new StringBuilder();
    byte[] buf = new byte[4096];
    try {
      for (int n; (n = in.read(buf)) >= 0; ) {
        got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError(
          "the server left a silent connection open for " + WAIT.toSeconds() + " s", e);
    }
    return got.toString();
  }

  @Test
  void aSocketThatSendsNothingIsCountedAndClosedAfterTheHandshakeTimeout() throws Exception {
    try (Socket s = connect()) {
      awaitConnections(1); // counted from accept, not from a WebSocket upgrade
      assertThat(readUntilClosed(s)).isEmpty();
    }
    awaitConnections(0);
    assertThat(prometheus.scrape()).contains("adahit_errors_total{kind=\"handshake_timeout\"} 1.0");
  }

  @Test
  void aRequestTrickledByteByByteIsClosedAtTheDeadlineNotKeptAliveByEachByte() throws Exception {
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      byte[] request =
          "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
              .getBytes(StandardCharsets.US_ASCII);
      boolean closed = false;
      for (int i = 0;
          i < request.length && !closed;
          i++) { // one byte every 100 ms: 7 s for the whole
        try {
          out.write(request[i]);
          out.flush();
          Thread.sleep(100);
        } catch (java.io.IOException e) {
          closed = true; // the server closed it while we trickled
        }
      }
      if (!closed) {
        assertThat(readUntilClosed(s)).doesNotContain("200 OK");
      }
    }
    awaitConnections(0);
  }

  @Test
  void aKeepAliveConnectionIsAnsweredThenClosedWhenItSendsNoNextRequest() throws Exception {
    try (Socket s = connect()) {
      s.getOutputStream()
          .write(
              "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      String got = readUntilClosed(s);
      assertThat(got).startsWith("HTTP/1.1 503").contains("\"status\":\"starting\"");
    }
    awaitConnections(0);
  }

  @Test
  void aWebSocketThatNeverSendsAMessageIsClosedWith1001() throws Exception {
    try (ChatClient ws =
        ChatClient.connect(
            HttpClient.newHttpClient(), "ws://127.0.0.1:" + web.port() + "/websocket", WAIT)) {
      awaitConnections(1);
      assertThat(web.websockets()).isEqualTo(1);
      assertThat(ws.closeCode(WAIT)).isEqualTo(1001);
      assertThat(ws.closeReason()).contains("http.firstMessageTimeoutSeconds");
    }
    awaitConnections(0);
    assertThat(web.websockets()).isZero();
  }

  @Test
  void aWebSocketThatFallsSilentAfterItsFirstMessageIsClosedAfterTheIdleTimeout() throws Exception {
    try (ChatClient ws =
        ChatClient.connect(
            HttpClient.newHttpClient(), "ws://127.0.0.1:" + web.port() + "/websocket", WAIT)) {
      assertThat(ws.ask("hi", WAIT).get("payload").get("error").asText()).isEqualTo("not_ready");
      assertThat(ws.closeCode(WAIT)).isEqualTo(1001);
      assertThat(ws.closeReason()).contains("http.idleTimeoutSeconds");
    }
    awaitConnections(0);
  }

  @Test
  void silentSocketsCountAgainstTheLimitUntilTheTimeoutFreesTheirSlots() throws Exception {
    web.close();
    start(5); // long enough for the refused WebSocket below to come while the silent sockets still
    // count
    List<Socket> silent = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        silent.add(connect());
      }
      awaitConnections(3);
      try (ChatClient refused =
          ChatClient.connect(
              HttpClient.newHttpClient(), "ws://127.0.0.1:" + web.port() + "/websocket", WAIT)) {
        JsonNode why = refused.next(WAIT);
        assertThat(why.get("payload").get("error").asText()).isEqualTo("too_many_connections");
        assertThat(refused.closeCode(WAIT)).isEqualTo(1013);
      }
      for (Socket s : silent) {
        assertThat(readUntilClosed(s)).isEmpty(); // the handshake timeout frees the slots
      }
      awaitConnections(0);
      try (ChatClient welcome =
          ChatClient.connect(
              HttpClient.newHttpClient(), "ws://127.0.0.1:" + web.port() + "/websocket", WAIT)) {
        JsonNode reply = welcome.ask("hi", WAIT);
        assertThat(reply.get("payload").get("error").asText())
            .as("accepted: it gets to the chat, which is not" + " ready here")
            .isEqualTo("not_ready");
      }
    } finally {
      for (Socket s : silent) {
        s.close();
      }
    }
  }
}
