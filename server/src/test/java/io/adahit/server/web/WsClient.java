package io.adahit.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;

/**
 * {@link ChatClient} as the WebSocket tests use it: a missing reply fails the test, turns carry the
 * terminal client's id, and waits are long enough for a first turn's JIT warm-up.
 */
final class WsClient implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final ChatClient client;

  WsClient(HttpClient http, String url) throws Exception {
    this.client = ChatClient.connect(http, url, Duration.ofSeconds(30));
  }

  void sendRaw(String text) throws Exception {
    client.sendRaw(text);
  }

  void send(Map<String, Object> message) throws Exception {
    client.send(message);
  }

  void say(String text) throws Exception {
    send(Map.of("id", "terminal-client-id", "text", text));
  }

  /** The next message from the server (waits up to a minute). */
  JsonNode next() throws Exception {
    JsonNode m = client.next(WAIT);
    if (m == null) {
      throw new AssertionError("no message from the server within 60 s");
    }
    return m;
  }

  /** Sends {@code text} and returns the reply. */
  JsonNode ask(String text) throws Exception {
    say(text);
    return next();
  }

  /** Sends {@code message} (a JSON object) and returns the reply. */
  JsonNode exchange(Map<String, Object> message) throws Exception {
    send(message);
    return next();
  }

  /** The close status code once the server closed the socket (-1 on a transport error). */
  int closeCode() throws Exception {
    return client.closeCode(Duration.ofSeconds(30));
  }

  String closeReason() {
    return client.closeReason();
  }

  @Override
  public void close() {
    client.close();
  }
}
