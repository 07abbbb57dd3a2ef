package io.adahit.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Headless Chromium (Debian's {@code chromium}) driven through the Chrome DevTools Protocol over
 * the JDK's WebSocket: one page, JS evaluation, polling for a condition, viewport emulation and
 * screenshots. For the chat page's end-to-end tests.
 */
final class HeadlessChrome implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process chrome;
  private final Cdp cdp;

  /** The installed Chromium, or null. */
  static Path binary() {
    for (String p :
        List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
      if (Files.isExecutable(Path.of(p))) {
        return Path.of(p);
      }
    }
    return null;
  }

  HeadlessChrome(Path binary, Path profile) throws Exception {
    chrome =
        new ProcessBuilder(
                binary.toString(),
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--remote-debugging-port=0",
                "--hide-scrollbars",
                "--user-data-dir=" + profile,
                "about:blank")
            .redirectErrorStream(true)
            .start();
    Cdp c = null;
    try {
      int port = devtoolsPort(chrome);
      HttpClient http = HttpClient.newHttpClient();
      String targets =
          http.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      String pageWs = null;
      for (JsonNode t : JSON.readTree(targets)) {
        if (t.get("type").asText().equals("page")) {
          pageWs = t.get("webSocketDebuggerUrl").asText();
        }
      }
      if (pageWs == null) {
        throw new IllegalStateException("chromium shows no page target: " + targets);
      }
      c = new Cdp(http, pageWs);
      c.call("Page.enable", Map.of());
    } catch (Exception e) {
      chrome.destroyForcibly();
      throw e;
    }
    cdp = c;
  }

  /**
   * Emulates a screen of {@code width} x {@code height} CSS pixels ({@code mobile}: a phone's
   * viewport rules).
   */
  void viewport(int width, int height, boolean mobile) throws Exception {
    cdp.call(
        "Emulation.setDeviceMetricsOverride",
        Map.of(
            "width",
            width,
            "height",
            height,
            "deviceScaleFactor",
            mobile ? 2 : 1,
            "mobile",
            mobile));
  }

  /** Runs {@code script} in every new document before the page's own scripts. */
  void beforeEachDocument(String script) throws Exception {
    cdp.call("Page.addScriptToEvaluateOnNewDocument", Map.of("source", script));
  }

  void open(String url) throws Exception {
    cdp.call("Page.navigate", Map.of("url", url));
  }

  /** Evaluates a JS expression in the page; its value as text. */
  String eval(String expression) throws Exception {
    JsonNode r =
        cdp.call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
    if (r.has("exceptionDetails")) {
      throw new AssertionError("page script failed: " + r.get("exceptionDetails"));
    }
    return r.at("/result/value").asText();
  }

  /** Polls until {@code condition} is true in the page, at most {@code seconds}. */
  void waitFor(String condition, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      // false while the page is still loading (document.body null...)
      if (eval("(() => { try { return !!(" + condition + "); } catch (e) { return false; } })()")
          .equals("true")) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "the page never satisfied: "
            + condition
            + "; page text: "
            + eval("document.body.innerText"));
  }

  /** Polls for at most a minute (the first turn warms the model up). */
  void waitFor(String condition) throws Exception {
    waitFor(condition, 60);
  }

  /** Types {@code text} into the focused element as a user would (input events). */
  void type(String text) throws Exception {
    cdp.call("Input.insertText", Map.of("text", text));
  }

  /** A PNG of the viewport, written to {@code file}. */
  void screenshot(Path file) throws Exception {
    JsonNode r = cdp.call("Page.captureScreenshot", Map.of("format", "png"));
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, Base64.getDecoder().decode(r.get("data").asText()));
  }

  private static int devtoolsPort(Process chrome) throws Exception {
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              Pattern p = Pattern.compile("DevTools listening on ws://[^:]+:(\\d+)/");
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(chrome.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  Matcher m = p.matcher(line);
                  if (m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                  }
                }
              } catch (Exception e) {
                port.completeExceptionally(e);
              }
              port.completeExceptionally(
                  new IllegalStateException("chromium exited without a DevTools port"));
            },
            "chromium-output");
    reader.setDaemon(true);
    reader.start();
    return port.get(60, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    cdp.close();
    chrome.destroy();
    if (!chrome.waitFor(10, TimeUnit.SECONDS)) {
      chrome.destroyForcibly();
    }
  }

  /** A minimal Chrome DevTools Protocol client over the JDK's WebSocket. */
  private static final class Cdp implements WebSocket.Listener, AutoCloseable {
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();
    private final StringBuilder partial = new StringBuilder();
    private final WebSocket ws;

    Cdp(HttpClient http, String url) throws Exception {
      ws = http.newWebSocketBuilder().buildAsync(URI.create(url), this).get(30, TimeUnit.SECONDS);
    }

    JsonNode call(String method, Map<String, Object> params) throws Exception {
      int id = ids.incrementAndGet();
      CompletableFuture<JsonNode> f = new CompletableFuture<>();
      calls.put(id, f);
      ws.sendText(
          JSON.writeValueAsString(Map.of("id", id, "method", method, "params", params)), true);
      JsonNode r = f.get(60, TimeUnit.SECONDS);
      if (r.has("error")) {
        throw new AssertionError("CDP " + method + " failed: " + r.get("error"));
      }
      return r.get("result");
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          JsonNode m = JSON.readTree(partial.toString());
          if (m.has("id")) {
            CompletableFuture<JsonNode> f = calls.remove(m.get("id").asInt());
            if (f != null) {
              f.complete(m);
            }
          }
        } catch (Exception e) {
          // events we do not read
        }
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public void close() {
      ws.abort();
    }
  }
}
