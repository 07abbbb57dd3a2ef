package io.adahit.server.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.agents.backbone.Backbone;
import io.adahit.server.DialogueServer;
import io.adahit.server.TestSkills;
import io.adahit.server.skills.LoadProgress;
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
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: the chat page at {@code /} in headless Chromium (Debian's {@code chromium}),
 * driven through the DevTools protocol: the page opens the WebSocket, shows the welcome, the
 * "begin" quick reply is clicked, a message is typed and sent, and the bot's reply from the
 * chosen skill appears. Skipped, saying why, when Chromium is not installed
 * ({@code sudo apt-get install -y chromium}).
 */
class ChatPageBrowserTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  static Path chromium() {
    for (String p : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
      if (Files.isExecutable(Path.of(p))) {
        return Path.of(p);
      }
    }
    return null;
  }

  @Test
  void aUserChatsWithTheChosenSkillFromTheChatPage(@TempDir Path tmp) throws Exception {
    Path browser = chromium();
    assumeTrue(browser != null, "Chromium not installed (sudo apt-get install -y chromium): browser test skipped");
    try (Backbone b = Backbone.loadDefault()) {
      TestSkills.write(tmp.resolve("skills"), b);
    }
    Process chrome = null;
    try (DialogueServer server = new DialogueServer(TestSkills.config(tmp, Map.of("grpc.enabled", "false")), new Random(3))) {
      server.start(LoadProgress.NONE);
      chrome = new ProcessBuilder(browser.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
          "--disable-dev-shm-usage", "--no-first-run", "--remote-debugging-port=0",
          "--user-data-dir=" + tmp.resolve("chrome-profile"), "about:blank").redirectErrorStream(true).start();
      int devtoolsPort = devtoolsPort(chrome);
      HttpClient http = HttpClient.newHttpClient();
      String targets = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + devtoolsPort + "/json/list")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      String pageWs = null;
      for (JsonNode t : JSON.readTree(targets)) {
        if (t.get("type").asText().equals("page")) {
          pageWs = t.get("webSocketDebuggerUrl").asText();
        }
      }
      assertThat(pageWs).as("a page target").isNotNull();
      try (Cdp cdp = new Cdp(http, pageWs)) {
        cdp.call("Page.enable", Map.of());
        cdp.call("Page.navigate", Map.of("url", "http://127.0.0.1:" + server.httpPort() + "/?skill=ada"));
        cdp.waitFor("document.querySelectorAll('#quick button').length > 0");
        assertThat(cdp.eval("document.querySelector('.msg.system').textContent")).startsWith("Welcome to the overworld");
        cdp.eval("[...document.querySelectorAll('#quick button')].find(b => b.textContent === 'begin').click()");
        cdp.waitFor("[...document.querySelectorAll('.msg.system')].some(m => m.textContent.includes(\"skill 'ada'\"))");

        cdp.eval("document.getElementById('text').focus()");
        cdp.call("Input.insertText", Map.of("text", "hi! what do you like to cook?"));
        cdp.eval("document.getElementById('send').click()");
        cdp.waitFor("document.querySelectorAll('.msg.bot').length > 0");
        assertThat(cdp.eval("[...document.querySelectorAll('.msg.user')].map(m => m.textContent).join('|')"))
            .isEqualTo("begin|hi! what do you like to cook?");
        String reply = cdp.eval("document.querySelector('.msg.bot').firstChild.textContent");
        assertThat(reply).isIn(TestSkills.adaPool());
        assertThat(cdp.eval("document.querySelector('.msg.bot .skill').textContent")).isEqualTo("ada");
        assertThat(cdp.eval("document.getElementById('skill').options.length")).isEqualTo("3");
      }
    } finally {
      if (chrome != null) {
        chrome.destroy();
        chrome.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static int devtoolsPort(Process chrome) throws Exception {
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      Pattern p = Pattern.compile("DevTools listening on ws://[^:]+:(\\d+)/");
      try (BufferedReader r = new BufferedReader(new InputStreamReader(chrome.getInputStream(), StandardCharsets.UTF_8))) {
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
      port.completeExceptionally(new IllegalStateException("chromium exited without a DevTools port"));
    }, "chromium-output");
    reader.setDaemon(true);
    reader.start();
    return port.get(60, TimeUnit.SECONDS);
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
      ws.sendText(JSON.writeValueAsString(Map.of("id", id, "method", method, "params", params)), true);
      JsonNode r = f.get(60, TimeUnit.SECONDS);
      if (r.has("error")) {
        throw new AssertionError("CDP " + method + " failed: " + r.get("error"));
      }
      return r.get("result");
    }

    /** Evaluates a JS expression in the page; its value as text. */
    String eval(String expression) throws Exception {
      JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
      if (r.has("exceptionDetails")) {
        throw new AssertionError("page script failed: " + r.get("exceptionDetails"));
      }
      return r.at("/result/value").asText();
    }

    /** Polls until {@code condition} is true in the page (at most a minute: the first turn warms up). */
    void waitFor(String condition) throws Exception {
      for (int i = 0; i < 600; i++) {
        if (eval("!!(" + condition + ")").equals("true")) {
          return;
        }
        Thread.sleep(100);
      }
      throw new AssertionError("the page never satisfied: " + condition + "; page text: "
          + eval("document.body.innerText"));
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
