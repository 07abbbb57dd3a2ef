package io.adahit.server.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.adahit.agents.adapters.AdapterConfig;
import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.adapters.AdapterInit;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.adapters.Provenance;
import io.adahit.agents.backbone.Backbone;
import io.adahit.server.DialogueServer;
import io.adahit.server.TestSkills;
import io.adahit.server.config.ServerConfig;
import io.adahit.server.skills.LoadProgress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: the chat page at {@code /} in headless Chromium ({@link HeadlessChrome}), as a user
 * meets it on a desktop and on a 390 x 844 phone: the page starts the chat itself (a message typed
 * before the chat began is answered, not refused), replies show which skill answered (with the
 * skill's description) except in an A/B experiment, thumbs and the end-of-chat rating reach the
 * event store, the input row stays on screen, a "typing" indicator shows while a reply is pending,
 * and the page reconnects to a server restarted on the same port. Screenshots go to {@code
 * target/chat-page/}. Skipped, saying why, when Chromium is not installed ({@code sudo apt-get
 * install -y chromium}).
 */
class ChatPageBrowserTest {

  static final Path SCREENSHOTS = Path.of("target", "chat-page");

  /** Types a message in the page's script before its socket can open (DOMContentLoaded). */
  static final String TYPE_EARLY =
      """
      document.addEventListener('DOMContentLoaded', () => {
        window.typedInPhase = document.body.dataset.phase;
        document.getElementById('text').value = 'hi! what do you like to cook?';
        document.getElementById('form').requestSubmit();
      });""";

  @TempDir static Path tmp;
  static Path browser;

  @BeforeAll
  static void skills() throws Exception {
    browser = HeadlessChrome.binary();
    assumeTrue(
        browser != null,
        "Chromium not installed (sudo apt-get install -y chromium): browser test skipped");
    try (Backbone b = Backbone.loadDefault()) {
      Path skills = TestSkills.write(tmp.resolve("skills"), b);
      Files.writeString(
          skills.resolve("ada").resolve("REPRODUCE.md"),
          "# Skill `ada`: small talk about cooking (a test adapter)\n\nSeeded weights.\n",
          StandardCharsets.UTF_8);
      try (AdapterSet set =
          AdapterSet.create(
              b,
              AdapterConfig.houlsby("ada2", b.config().numLayers()),
              new AdapterInit(23, 0.1, 0.1))) {
        AdapterFiles.save(set, skills.resolve("ada2"), Provenance.pending());
      }
    }
    Files.writeString(
        tmp.resolve("ab.yaml"),
        """
        experiments:
          - name: ada-ab
            skill: ada
            variants:
              - {name: a}
              - {name: b, adapter: ada2}
        """);
  }

  /** The test skills; the experiment 'ada-ab' runs on skill 'ada' when {@code ab}. */
  static ServerConfig config(boolean ab, Map<String, String> extra) throws Exception {
    Map<String, String> o = new java.util.HashMap<>(Map.of("grpc.enabled", "false"));
    o.putAll(extra);
    return TestSkills.config(tmp, ab ? tmp.resolve("ab.yaml") : null, o);
  }

  /** Stored feedback rows: {conversation, experiment, variant, turn, rating, thumbs_up}. */
  static List<List<String>> feedback() throws Exception {
    List<List<String>> rows = new ArrayList<>();
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:sqlite:" + tmp.resolve("events").resolve("events.db"));
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT conversation_id, experiment, variant, turn, rating, thumbs_up"
                    + " FROM ab_feedback ORDER BY created_at")) {
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
          row.add(rs.getString(i));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  static List<List<String>> feedbackOf(String conversation) throws Exception {
    return feedback().stream().filter(r -> r.get(0).equals(conversation)).toList();
  }

  /**
   * Sends {@code text} from the input row as a user does, and waits for the bot's reply number
   * {@code n}.
   */
  static void say(HeadlessChrome page, String text, int n) throws Exception {
    page.eval("document.getElementById('text').focus()");
    page.type(text);
    page.eval("document.getElementById('send').click()");
    page.waitFor("document.querySelectorAll('.msg.bot').length >= " + n);
  }

  @Test
  void onADesktopTheChatStartsByItselfShowsTheSkillAndStoresThumbsAndTheRating() throws Exception {
    try (DialogueServer server = new DialogueServer(config(false, Map.of()), new Random(3));
        HeadlessChrome page = new HeadlessChrome(browser, tmp.resolve("chrome-desktop"))) {
      server.start(LoadProgress.NONE);
      page.viewport(1280, 800, false);
      page.beforeEachDocument(TYPE_EARLY);
      page.open("http://127.0.0.1:" + server.httpPort() + "/?skill=ada");
      page.waitFor("document.querySelectorAll('.msg.bot').length > 0");
      assertThat(page.eval("window.typedInPhase"))
          .as("typed before the socket opened")
          .isEqualTo("connecting");
      assertThat(page.eval("document.body.innerText"))
          .doesNotContain("Invalid option")
          .doesNotContain("Error");
      assertThat(
              page.eval(
                  "[...document.querySelectorAll('.msg.user')].map(m => m.textContent).join('|')"))
          .isEqualTo("hi! what do you like to cook?");
      assertThat(page.eval("document.querySelector('.msg.bot').firstChild.textContent"))
          .isIn(TestSkills.adaPool());
      assertThat(page.eval("document.querySelector('.msg.bot .skill').textContent"))
          .isEqualTo("ada");
      assertThat(page.eval("document.getElementById('skill-info').textContent"))
          .isEqualTo("ada — small talk about cooking");
      assertThat(
              page.eval(
                  "[...document.getElementById('skill').options].map(o => o.value + '=' + o.title).join('|')"))
          .isEqualTo("=|ada=small talk about cooking|base=the zero-shot backbone");
      String conversation = page.eval("document.body.dataset.conversation");
      assertThat(conversation).isNotBlank();

      say(page, "I like pasta with tomatoes.", 2);
      page.eval("document.querySelectorAll('.msg.bot')[1].querySelector('.thumb.up').click()");
      page.waitFor("document.querySelectorAll('.msg.bot')[1].querySelector('.thumb.up.recorded')");
      assertThat(feedbackOf(conversation)).hasSize(1);
      assertThat(feedbackOf(conversation).get(0))
          .containsExactly(conversation, null, null, "2", null, "1");

      page.eval("document.getElementById('done').click()");
      page.waitFor("!document.getElementById('rating').hidden");
      page.eval("document.querySelector('#rating button[data-rating=\"4\"]').click()");
      page.waitFor("document.getElementById('rating-label').textContent.startsWith('Thanks')");
      List<List<String>> rows = feedbackOf(conversation);
      assertThat(rows).hasSize(2);
      assertThat(rows.get(1)).containsExactly(conversation, null, null, null, "4", null);
      page.screenshot(SCREENSHOTS.resolve("desktop.png"));

      // after the end, typing starts the next chat by itself
      say(page, "hello again", 3);
      assertThat(page.eval("document.body.dataset.conversation")).isNotEqualTo(conversation);
      assertThat(page.eval("document.body.innerText")).doesNotContain("Invalid option");
    }
  }

  @Test
  void onAPhoneTheInputStaysOnScreenAndAnAbChatHidesTheSkillButStoresThumbsWithItsVariant()
      throws Exception {
    // replies wait 700 ms for a batch to fill, so the "typing" indicator can be seen
    try (DialogueServer server =
            new DialogueServer(
                config(true, Map.of("batching.maxWaitMillis", "700")), new Random(4));
        HeadlessChrome page = new HeadlessChrome(browser, tmp.resolve("chrome-phone"))) {
      server.start(LoadProgress.NONE);
      page.viewport(390, 844, true);
      page.open("http://127.0.0.1:" + server.httpPort() + "/?skill=ada");
      page.waitFor("document.body.dataset.phase === 'chat'");
      assertThat(page.eval("document.body.dataset.experiment")).isEqualTo("yes");
      String conversation = page.eval("document.body.dataset.conversation");

      for (int i = 1; i <= 6; i++) {
        page.eval("document.getElementById('text').focus()");
        page.type("message number " + i + ": what do you like to cook on a sunny day?");
        page.eval("document.getElementById('send').click()");
        if (i == 1) {
          assertThat(page.eval("document.getElementById('typing').hidden"))
              .as("typing shown while pending")
              .isEqualTo("false");
        }
        page.waitFor("document.querySelectorAll('.msg.bot').length >= " + i);
      }
      assertThat(page.eval("document.getElementById('typing').hidden")).isEqualTo("true");
      assertThat(page.eval("document.querySelectorAll('.msg.bot [data-skill]').length"))
          .as("an A/B chat does not say who answered")
          .isEqualTo("0");
      assertThat(page.eval("document.getElementById('skill-info').textContent")).isEmpty();
      for (String id : List.of("text", "send", "new", "done")) {
        assertThat(
                page.eval(
                    "(() => { const r = document.getElementById('"
                        + id
                        + "').getBoundingClientRect();"
                        + " return r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth; })()"))
            .as("#%s inside the 390 x 844 viewport", id)
            .isEqualTo("true");
      }
      assertThat(page.eval("document.documentElement.scrollWidth <= innerWidth"))
          .as("no sideways scrolling")
          .isEqualTo("true");

      page.eval("document.querySelectorAll('.msg.bot')[2].querySelector('.thumb.down').click()");
      page.waitFor(
          "document.querySelectorAll('.msg.bot')[2].querySelector('.thumb.down.recorded')");
      List<List<String>> rows = feedbackOf(conversation);
      assertThat(rows).hasSize(1);
      assertThat(rows.get(0).get(1)).isEqualTo("ada-ab");
      assertThat(rows.get(0).get(2)).isEqualTo(AbServerTest.EXPERIMENT.assign(conversation).name());
      assertThat(rows.get(0).subList(3, 6)).containsExactly("3", null, "0");
      page.screenshot(SCREENSHOTS.resolve("phone.png"));
    }
  }

  @Test
  void thePageReconnectsToAServerRestartedOnTheSamePortInAFreshConversation() throws Exception {
    int port;
    String before;
    try (HeadlessChrome page = new HeadlessChrome(browser, tmp.resolve("chrome-restart"))) {
      page.viewport(1280, 800, false);
      try (DialogueServer first = new DialogueServer(config(false, Map.of()), new Random(5))) {
        first.start(LoadProgress.NONE);
        port = first.httpPort();
        page.open("http://127.0.0.1:" + port + "/?skill=base");
        page.waitFor("document.body.dataset.phase === 'chat'");
        say(page, "hi there", 1);
        before = page.eval("document.body.dataset.conversation");
      }
      page.waitFor("document.getElementById('status').textContent.includes('reconnecting')", 20);
      assertThat(page.eval("document.body.dataset.phase")).isEqualTo("offline");
      try (DialogueServer second =
          new DialogueServer(
              config(false, Map.of("http.port", String.valueOf(port))), new Random(6))) {
        second.start(LoadProgress.NONE);
        page.waitFor(
            "document.body.dataset.phase === 'chat' && document.body.dataset.conversation !== '"
                + before
                + "'",
            90);
        assertThat(page.eval("document.body.innerText"))
            .contains("Reconnected. The server restarted");
        assertThat(page.eval("document.getElementById('status').textContent"))
            .isEqualTo("connected");
        assertThat(
                page.eval(
                    "[...document.querySelectorAll('.msg.bot .thumb')].filter(b => !b.disabled).length"))
            .as("thumbs of the lost conversation are retired")
            .isEqualTo("0");
        say(page, "are you back?", 2);
        assertThat(page.eval("document.querySelectorAll('.msg.bot')[1].firstChild.textContent"))
            .isIn(TestSkills.basePool());
      }
    }
  }
}
