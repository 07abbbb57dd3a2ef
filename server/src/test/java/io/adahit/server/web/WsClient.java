package io.adahit.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real WebSocket client (the JDK's) for tests: sends JSON, waits for replies and the close. */
final class WsClient implements WebSocket.Listener, AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();

  private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
  private final CompletableFuture<int[]> closed = new CompletableFuture<>();
  private volatile String closeReason;
  private final StringBuilder partial = new StringBuilder();
  private final WebSocket ws;

  WsClient(HttpClient http, String url) throws Exception {
    this.ws = http.newWebSocketBuilder().buildAsync(URI.create(url), this).get(30, TimeUnit.SECONDS);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      messages.add(partial.toString());
      partial.setLength(0);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closeReason = reason;
    closed.complete(new int[] {statusCode});
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.complete(new int[] {-1});
  }

  void sendRaw(String text) throws Exception {
    ws.sendText(text, true).get(30, TimeUnit.SECONDS);
  }

  void send(Map<String, Object> message) throws Exception {
    sendRaw(JSON.writeValueAsString(message));
  }

  void say(String text) throws Exception {
    send(Map.of("id", "terminal-client-id", "text", text));
  }

  /** The next message from the server (waits up to a minute: the first turn may include JIT warm-up). */
  JsonNode next() throws Exception {
    String m = messages.poll(60, TimeUnit.SECONDS);
    if (m == null) {
      throw new AssertionError("no message from the server within 60 s");
    }
    return JSON.readTree(m);
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
    return closed.get(30, TimeUnit.SECONDS)[0];
  }

  String closeReason() {
    return closeReason;
  }

  @Override
  public void close() {
    if (!ws.isOutputClosed()) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }
    ws.abort();
  }
}
