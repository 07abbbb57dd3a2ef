package io.adahit.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.adahit.eval.metrics.AnswerNormalizer;
import io.adahit.eval.teachers.Datatype;
import io.adahit.eval.teachers.Episode;
import io.adahit.eval.teachers.Example;
import io.adahit.eval.teachers.Teacher;
import io.adahit.eval.teachers.TeacherOptions;
import io.adahit.eval.teachers.TeacherRegistry;
import io.adahit.server.web.ChatClient;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code adahit ab-simulate}: simulated users for an A/B experiment, through a running server's
 * WebSocket (ParlAI's chat service). Each simulated conversation replays the user side of a real
 * eval episode (its persona lines removed: the bot has its own), scores each bot reply against the
 * episode's gold reply with ParlAI's unigram F1, ends the chat with [DONE] and rates it: the rating
 * and thumbs come from the conversation's mean F1 (a stand-in for a person's judgement,
 * deterministic, the same rule for every variant). The server stores it all with the variant;
 * {@code ab-report} then reports it.
 */
@Command(
    name = "ab-simulate",
    mixinStandardHelpOptions = true,
    description = {
      "Simulated users for an A/B experiment: replay eval dialogues through a running server's WebSocket,"
          + " rate each chat by the F1 of the bot's replies against the gold ones, and send the ratings as feedback.",
      "Example: adahit ab-simulate --url ws://127.0.0.1:35496/websocket --skill convai2 -t convai2 --conversations 200"
    })
final class AbSimulateCommand implements Callable<Integer> {

  private static final Duration REPLY_WAIT = Duration.ofMinutes(5);

  @Spec CommandSpec spec;

  @Option(
      names = "--url",
      required = true,
      description = "The server's WebSocket, e.g. ws://127.0.0.1:35496/websocket.")
  String url;

  @Option(
      names = "--skill",
      required = true,
      description = "The skill to chat with (the experiment's skill).")
  String skill;

  @Option(
      names = {"-t", "--task"},
      defaultValue = "convai2",
      description = "Eval task whose dialogues users replay (default: ${DEFAULT-VALUE}).")
  String task;

  @Mixin DatatypeOption datatype;

  @Mixin DataPathOption datapath;

  @Option(
      names = "--conversations",
      defaultValue = "200",
      description = "Simulated conversations (default: ${DEFAULT-VALUE}).")
  int conversations;

  @Option(
      names = "--turns",
      defaultValue = "4",
      description =
          "User turns per conversation, at most the episode's (default: ${DEFAULT-VALUE}).")
  int turns;

  @Option(
      names = "--clients",
      defaultValue = "8",
      description = "Conversations at once (default: ${DEFAULT-VALUE}).")
  int clients;

  @Option(
      names = "--thumbs-up-f1",
      defaultValue = "0.1",
      description =
          "Mean F1 from which a user gives a thumbs up (default: ${DEFAULT-VALUE}); rating = 1 + min(4, floor(F1 / 0.05)).")
  double thumbsUpF1;

  /** One finished simulated conversation. */
  private record Outcome(String variant, double f1, int rating, boolean up) {}

  @Override
  public Integer call() throws Exception {
    if (conversations < 1 || turns < 1 || clients < 1) {
      throw new IllegalArgumentException("--conversations, --turns and --clients must be >= 1");
    }
    Teacher teacher =
        TeacherRegistry.builtIn()
            .create(task, TeacherOptions.of(datapath.path(), Datatype.parse(datatype.name())));
    List<Episode> episodes = teacher.episodes();
    HttpClient http = HttpClient.newHttpClient();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<Future<Outcome>> all = new ArrayList<>();
    try {
      for (int i = 0; i < conversations; i++) {
        Episode ep = episodes.get(i % episodes.size());
        all.add(pool.submit(() -> converse(http, ep)));
      }
      Map<String, List<Outcome>> byVariant = new TreeMap<>();
      for (Future<Outcome> f : all) {
        Outcome o = f.get(10, TimeUnit.MINUTES);
        byVariant.computeIfAbsent(o.variant(), k -> new ArrayList<>()).add(o);
      }
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          Locale.ROOT,
          "%-12s %6s %8s %8s %8s%n",
          "variant",
          "convs",
          "mean F1",
          "rating",
          "up rate");
      byVariant.forEach(
          (v, list) ->
              out.printf(
                  Locale.ROOT,
                  "%-12s %6d %8.4f %8.3f %8.3f%n",
                  v,
                  list.size(),
                  list.stream().mapToDouble(Outcome::f1).average().orElse(0),
                  list.stream().mapToInt(Outcome::rating).average().orElse(0),
                  list.stream().filter(Outcome::up).count() / (double) list.size()));
      out.println(
          "(simulated users: rating and thumbs from the mean unigram F1 of the bot's replies against the"
              + " gold replies of "
              + task
              + " "
              + datatype.name()
              + "; every reply's feedback was acknowledged by the server)");
      out.flush();
    } finally {
      pool.shutdownNow();
    }
    return 0;
  }

  private Outcome converse(HttpClient http, Episode ep) throws Exception {
    try (ChatClient c =
        ChatClient.connect(
            http,
            url + (url.contains("?") ? "&" : "?") + "skill=" + skill,
            Duration.ofSeconds(60))) {
      ask(c, Map.of("text", "hi"));
      JsonNode start = ask(c, Map.of("text", "begin", "payload", Map.of("skill", skill)));
      JsonNode payload = start.path("payload");
      if (!payload.has("conversation_id")) {
        throw new IllegalStateException("the server did not start a chat: " + start);
      }
      String variant = payload.path("variant").asText("(none)");
      double f1 = 0;
      int n = 0;
      for (Example ex : ep.examples().subList(0, Math.min(turns, ep.size()))) {
        String text = userText(ex.text());
        if (text.isBlank()) {
          continue;
        }
        JsonNode reply = ask(c, Map.of("text", text));
        if (reply.path("payload").has("error")) {
          throw new IllegalStateException("turn refused: " + reply.path("text").asText());
        }
        f1 += f1(reply.path("text").asText(), ex.evalLabels().get(0));
        n++;
      }
      double mean = n == 0 ? 0 : f1 / n;
      ask(c, Map.of("text", "[DONE]"));
      int rating = 1 + Math.min(4, (int) Math.floor(mean / 0.05));
      boolean up = mean >= thumbsUpF1;
      JsonNode ack =
          ask(c, Map.of("feedback", Map.of("rating", rating, "thumbs", up ? "up" : "down")));
      if (!"recorded".equals(ack.path("payload").path("feedback").asText())) {
        throw new IllegalStateException("feedback not acknowledged: " + ack);
      }
      return new Outcome(variant, mean, rating, up);
    }
  }

  /** Sends {@code message} and returns the reply; a server silent for 5 minutes is an error. */
  private static JsonNode ask(ChatClient c, Map<String, Object> message) throws Exception {
    JsonNode r = c.ask(message, REPLY_WAIT);
    if (r == null) {
      throw new IllegalStateException(
          "no reply from the server within " + REPLY_WAIT.toMinutes() + " minutes");
    }
    return r;
  }

  /**
   * The user's words: the turn without the persona lines ParlAI's teachers put before the first
   * one.
   */
  static String userText(String text) {
    StringBuilder b = new StringBuilder();
    for (String line : text.split("\n")) {
      if (!line.startsWith("your persona:") && !line.startsWith("partner's persona:")) {
        b.append(b.length() == 0 ? "" : "\n").append(line);
      }
    }
    return b.toString();
  }

  /** ParlAI's unigram F1 of a reply against a gold reply, after ParlAI's answer normalisation. */
  static double f1(String guess, String gold) {
    List<String> g = tokens(guess);
    List<String> t = tokens(gold);
    Map<String, Integer> counts = new HashMap<>();
    t.forEach(w -> counts.merge(w, 1, Integer::sum));
    int common = 0;
    for (String w : g) {
      Integer k = counts.get(w);
      if (k != null && k > 0) {
        common++;
        counts.put(w, k - 1);
      }
    }
    if (common == 0) {
      return 0;
    }
    double p = (double) common / g.size();
    double r = (double) common / t.size();
    return 2 * p * r / (p + r);
  }

  private static List<String> tokens(String s) {
    String n = AnswerNormalizer.normalize(s);
    return n.isEmpty() ? List.of() : Arrays.asList(n.split(" "));
  }
}
