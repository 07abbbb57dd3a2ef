package io.adahit.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.adahit.agents.backbone.Backbone;
import io.adahit.eval.harness.RouterSkills;
import io.adahit.eval.teachers.SharedData;
import io.adahit.server.DialogueServer;
import io.adahit.server.config.ConfigLoader;
import io.adahit.server.skills.LoadProgress;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code eval_model --server} against the real server started in this JVM on a free port, serving
 * the skills folder that the in-process runs load: on real ConvAI2 and ED slices the numbers are
 * the same as in process, for a skill with adapters and for the router {@code auto}.
 */
class RemoteEvalTest {

  /** Metrics that must agree exactly (timing and cache counts may not). */
  private static final List<String> METRICS =
      List.of("exs", "accuracy", "hits@1", "hits@5", "hits@10", "mrr", "rank");

  @TempDir static Path tmp;
  private static Path skills;
  private static DialogueServer server;
  private static String address;

  @BeforeAll
  static void start() throws Exception {
    try (Backbone b = Backbone.loadDefault()) {
      skills = RouterSkills.write(b, tmp.resolve("skills"));
    }
    Map<String, String> o = new LinkedHashMap<>();
    o.put("http.port", "0");
    o.put("grpc.port", "0");
    o.put("skills.dir", skills.toString());
    o.put("skills.default", "convai2");
    o.put("skills.cacheDir", tmp.resolve("server-cache").toString());
    o.put("logs.dir", tmp.resolve("logs").toString());
    o.put("shutdown.graceSeconds", "5");
    if (defaultsHave("\nevents:")) {
      o.put("events.url", null); // no A/B event store: nothing written beside the tests
    }
    server = new DialogueServer(ConfigLoader.load(null, o), new Random(3));
    server.start(LoadProgress.NONE);
    address = "127.0.0.1:" + server.grpcPort();
  }

  private static boolean defaultsHave(String section) throws IOException {
    try (InputStream in =
        ConfigLoader.class
            .getClassLoader()
            .getResourceAsStream("io/adahit/server/default-server.yaml")) {
      return in != null && new String(in.readAllBytes(), StandardCharsets.UTF_8).contains(section);
    }
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  /**
   * Runs the command line as a user does, on the shared data; the error handler prints one line.
   */
  private static EvalCliTest.Run run(String... args) {
    CommandLine cmd = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.addAll(List.of("--datapath", SharedData.dir().toString()));
    int code = cmd.execute(all.toArray(String[]::new));
    return new EvalCliTest.Run(code, out.toString(), err.toString());
  }

  private static JsonNode evaluate(String name, String... args) throws Exception {
    Path rf = tmp.resolve(name + ".json");
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.addAll(List.of("-rf", rf.toString(), "--no-cache"));
    EvalCliTest.Run r = run(all.toArray(String[]::new));
    assertThat(r.code()).as(r.err()).isZero();
    return EvalCliTest.read(rf);
  }

  private static void assertSameMetrics(JsonNode remote, JsonNode local, List<String> prefixes) {
    for (String p : prefixes) {
      for (String m : METRICS) {
        assertThat(remote.get("report").get(p + m)).as(p + m).isNotNull();
        assertThat(remote.get("report").get(p + m).asDouble())
            .as(p + m)
            .isEqualTo(local.get("report").get(p + m).asDouble());
      }
    }
  }

  @Test
  void aSkillOnTheServerGivesTheSameNumbersAsInProcess() throws Exception {
    JsonNode remote =
        evaluate(
            "remote-convai2",
            "eval_model",
            "-t",
            "convai2",
            "-ne",
            "24",
            "-bs",
            "4",
            "--server",
            address,
            "--skill",
            "convai2");
    JsonNode local =
        evaluate(
            "local-convai2",
            "eval_model",
            "-t",
            "convai2",
            "-ne",
            "24",
            "--skill",
            "convai2",
            "--skills-dir",
            skills.toString());
    assertSameMetrics(remote, local, List.of(""));
    assertThat(remote.get("report").get("hits@1").asDouble()).isBetween(0.05, 0.99);
    assertThat(remote.get("opt").get("server").asText()).isEqualTo(address);
    assertThat(remote.get("opt").get("skill").asText()).isEqualTo("convai2");
    assertThat(remote.get("opt").get("server_skill_kind").asText()).isEqualTo("bottleneck");
    assertThat(remote.get("report").has("contaminated"))
        .as("the server's training files are not visible")
        .isFalse();
    assertThat(local.get("report").get("contaminated").asBoolean()).isTrue();
  }

  @Test
  void aSkillWithItsOwnLengthsIsServedAndEvaluatedAtThemAndTheReportsSaySo() throws Exception {
    // convai2's manifest says 64 / 32: in process and on the server it ranks there, not at 256 /
    // 128
    JsonNode remote =
        evaluate(
            "remote-len",
            "eval_model",
            "-t",
            "convai2",
            "-ne",
            "24",
            "-bs",
            "4",
            "--server",
            address,
            "--skill",
            "convai2");
    JsonNode local =
        evaluate(
            "local-len",
            "eval_model",
            "-t",
            "convai2",
            "-ne",
            "24",
            "--skill",
            "convai2",
            "--skills-dir",
            skills.toString());
    JsonNode explicit =
        evaluate(
            "local-len-64",
            "eval_model",
            "-t",
            "convai2",
            "-ne",
            "24",
            "--skill",
            "convai2",
            "--skills-dir",
            skills.toString(),
            "--text-truncate",
            "64",
            "--label-truncate",
            "32");
    JsonNode old =
        evaluate(
            "local-len-256",
            "eval_model",
            "-t",
            "convai2",
            "-ne",
            "24",
            "--skill",
            "convai2",
            "--skills-dir",
            skills.toString(),
            "--text-truncate",
            "256",
            "--label-truncate",
            "128");
    assertSameMetrics(remote, local, List.of(""));
    assertSameMetrics(local, explicit, List.of(""));
    assertThat(local.get("report").get("mrr").asDouble())
        .as("256 / 128 ranks otherwise")
        .isNotEqualTo(old.get("report").get("mrr").asDouble());
    assertThat(local.get("opt").get("text_truncate").asInt()).isEqualTo(64);
    assertThat(local.get("opt").get("label_truncate").asInt()).isEqualTo(32);
    assertThat(local.get("opt").at("/lengths/convai2/from").asText()).isEqualTo("training");
    assertThat(explicit.get("opt").at("/lengths/convai2/from").asText()).isEqualTo("override");
    assertThat(old.get("opt").get("text_truncate").asInt()).isEqualTo(256);
    assertThat(remote.get("opt").get("text_truncate").asInt())
        .as("as the server's ListSkills reports")
        .isEqualTo(64);
    assertThat(remote.get("opt").at("/lengths/convai2/label_truncate").asInt()).isEqualTo(32);
    assertThat(remote.get("opt").at("/lengths/convai2/from").asText()).isEqualTo("server");
    JsonNode auto =
        evaluate(
            "local-auto-len",
            "eval_model",
            "-t",
            "empathetic_dialogues",
            "-ne",
            "4",
            "--skill",
            "auto",
            "--skills-dir",
            skills.toString());
    assertThat(auto.get("opt").at("/lengths/convai2/text_truncate").asInt())
        .as("each routed skill at its own")
        .isEqualTo(64);
    assertThat(auto.get("opt").at("/lengths/empathetic_dialogues/text_truncate").asInt())
        .isEqualTo(256);
    assertThat(auto.get("opt").get("text_truncate").isNull())
        .as("no one length for the run")
        .isTrue();
    assertThat(auto.get("opt").get("router_text_truncate").asInt()).isPositive();
  }

  @Test
  void compareTakesARouterSkillAsOneSide() throws Exception {
    String tasks = "convai2,empathetic_dialogues";
    JsonNode local =
        evaluate(
            "local-auto-cmp",
            "eval_model",
            "-t",
            tasks,
            "-ne",
            "6",
            "--skill",
            "auto",
            "--skills-dir",
            skills.toString());
    JsonNode cmp =
        evaluate(
            "cmp-auto",
            "compare",
            "-t",
            tasks,
            "-ne",
            "6",
            "--a-skill",
            "convai2",
            "--b-skill",
            "auto",
            "--skills-dir",
            skills.toString(),
            "--bootstrap-samples",
            "100");
    for (String t : List.of("convai2", "empathetic_dialogues")) {
      assertThat(cmp.get("report").get("comparison").get(t).get("b_hits@1").asDouble())
          .as(t)
          .isEqualTo(local.get("report").get(t + "/hits@1").asDouble());
      assertThat(cmp.get("report").get("b").get(t + "/routing_accuracy").asDouble())
          .as(t)
          .isEqualTo(local.get("report").get(t + "/routing_accuracy").asDouble());
    }
    assertThat(cmp.get("opt").get("b").get("router_skills").toString())
        .isEqualTo("[\"convai2\",\"empathetic_dialogues\"]");
    assertThat(cmp.get("report").get("b").get("contaminated"))
        .as("routed skills' training files are checked")
        .isNotNull();
  }

  @Test
  void theRouterOnTheServerRoutesAndRanksAsTheRouterInProcess() throws Exception {
    String tasks = "convai2,empathetic_dialogues";
    JsonNode remote =
        evaluate(
            "remote-auto",
            "eval_model",
            "-t",
            tasks,
            "-ne",
            "6",
            "--server",
            address,
            "--skill",
            "auto");
    JsonNode local =
        evaluate(
            "local-auto",
            "eval_model",
            "-t",
            tasks,
            "-ne",
            "6",
            "--skill",
            "auto",
            "--skills-dir",
            skills.toString());
    assertSameMetrics(remote, local, List.of("convai2/", "empathetic_dialogues/"));
    assertThat(remote.get("opt").get("router_skills"))
        .as("the server's ListSkills names the router's skills (routes_to)")
        .isEqualTo(local.get("opt").get("router_skills"));
    for (String key : List.of("routed", "convai2/routed", "empathetic_dialogues/routed")) {
      assertThat(remote.get("report").get(key)).as(key).isEqualTo(local.get("report").get(key));
    }
    for (String key :
        List.of(
            "routing_accuracy",
            "convai2/routing_accuracy",
            "empathetic_dialogues/routing_accuracy")) {
      assertThat(remote.get("report").get(key).asDouble())
          .as(key)
          .isEqualTo(local.get("report").get(key).asDouble());
    }
    JsonNode routed = local.get("report").get("convai2/routed");
    assertThat(routed.get("convai2").asLong() + routed.get("empathetic_dialogues").asLong())
        .isEqualTo(6);
    assertThat(local.get("report").get("convai2/routing_accuracy").asDouble())
        .isEqualTo(routed.get("convai2").asLong() / 6.0);
    assertThat(local.get("opt").get("router_skills").toString())
        .isEqualTo("[\"convai2\",\"empathetic_dialogues\"]");
    assertThat(local.get("report").get("contaminated").asBoolean())
        .as("convai2's adapter was trained on its valid file")
        .isTrue();
  }

  @Test
  void userMistakesWithServerAreOneLineErrors() {
    EvalCliTest.Run unknown =
        run("eval_model", "-t", "convai2", "-ne", "2", "--server", address, "--skill", "nope");
    assertThat(unknown.code()).isEqualTo(1);
    assertThat(unknown.err())
        .contains(
            "eval_model: error: server "
                + address
                + " has no skill 'nope'; its skills:"
                + " [auto (router), convai2 (default), empathetic_dialogues]");
    EvalCliTest.Run adapter =
        run("eval_model", "-t", "convai2", "--server", address, "--adapter", "x");
    assertThat(adapter.err()).contains("eval_model: error: --adapter cannot be used with --server");
    EvalCliTest.Run trunc =
        run("eval_model", "-t", "convai2", "--server", address, "--text-truncate", "64");
    assertThat(trunc.err())
        .contains("--text-truncate and --label-truncate cannot be changed with --server");
  }
}
