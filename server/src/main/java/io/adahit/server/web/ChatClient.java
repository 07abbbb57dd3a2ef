package io.adahit.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A blocking client of the server's ParlAI chat-service WebSocket (the JDK's {@link WebSocket}):
 * sends JSON messages, hands out the server's messages in order, and records how the server closed.
 * What the simulated A/B users, the load benchmark and the WebSocket tests talk through.
 *
 * <pre>{@code
 * try (ChatClient c = ChatClient.connect(HttpClient.newHttpClient(), "ws://127.0.0.1:35496/websocket",
 *     Duration.ofSeconds(30))) {
 *   c.ask("hi", Duration.ofMinutes(1));                              // onboarding: the skill menu
 *   JsonNode reply = c.ask("convai2", Duration.ofMinutes(1));        // welcome on skill convai2
 *   reply = c.ask(Map.of("text", "do you like dogs?"), Duration.ofMinutes(1));
 * }
 * }</pre>
 */
public final class ChatClient implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private volatile String closeReason;
  private final Duration ioTimeout;
  private final WebSocket ws;

  private ChatClient(HttpClient http, String url, Duration timeout) throws Exception {
    this.ioTimeout = timeout;
    this.ws =
        http.newWebSocketBuilder()
            .buildAsync(URI.create(url), new Listener())
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Opens the WebSocket at {@code url} (e.g. {@code ws://host:port/websocket}), waiting at most
   * {@code timeout}; each later send waits at most as long for its frame to go out.
   */
  public static ChatClient connect(HttpClient http, String url, Duration timeout) throws Exception {
    return new ChatClient(http, url, timeout);
  }

  /** Reassembles fragmented text frames into messages; records the close. */
  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

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
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.complete(-1);
    }
  }

  /** Sends one text frame as is (for tests of malformed frames). */
  public void sendRaw(String text) throws Exception {
    ws.sendText(text, true).get(ioTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Sends {@code message} as a JSON object. */
  public void send(Map<String, Object> message) throws Exception {
    sendRaw(JSON.writeValueAsString(message));
  }

  /** The server's next message, or null if none came within {@code timeout}. */
  public JsonNode next(Duration timeout) throws Exception {
    String m = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    return m == null ? null : JSON.readTree(m);
  }

  /** Sends {@code message} and returns the reply, or null if none came within {@code timeout}. */
  public JsonNode ask(Map<String, Object> message, Duration timeout) throws Exception {
    send(message);
    return next(timeout);
  }

  /**
   * Sends {@code {"text": text}} and returns the reply, or null if none came within {@code
   * timeout}.
   */
  public JsonNode ask(String text, Duration timeout) throws Exception {
    return ask(Map.of("text", text), timeout);
  }

  /** The close status code once the server closed the socket (-1 on a transport error). */
  public int closeCode(Duration timeout) throws Exception {
    return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The reason the server gave when it closed the socket, or null. */
  public String closeReason() {
    return closeReason;
  }

  /** Says goodbye (a normal close frame, not awaited) and drops the connection. */
  @Override
  public void close() {
    if (!ws.isOutputClosed()) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
    }
    ws.abort();
  }
}
