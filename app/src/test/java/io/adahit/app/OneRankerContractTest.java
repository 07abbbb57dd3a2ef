package io.adahit.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.adahit.agents.adapters.AdapterConfig;
import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.adapters.AdapterInit;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.adapters.LengthOverrides;
import io.adahit.agents.adapters.Provenance;
import io.adahit.agents.backbone.Backbone;
import io.adahit.eval.harness.*;
import io.adahit.eval.remote.RemoteModel;
import io.adahit.eval.teachers.Datatype;
import io.adahit.eval.teachers.SharedData;
import io.adahit.eval.teachers.TeacherOptions;
import io.adahit.eval.teachers.TeacherRegistry;
import io.adahit.server.DialogueServer;
import io.adahit.server.config.ConfigLoader;
import io.adahit.server.inference.TurnRequest;
import io.adahit.server.inference.TurnResult;
import io.adahit.server.skills.LoadProgress;
import io.adahit.server.skills.Skill;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ranking contract: one context and its candidates get the same scores whichever way they
 * arrive. For real ConvAI2 validation examples, under a zero-shot skill and a skill with adapters,
 * each example's context and inline candidates are scored three ways, all ending in agents' {@link
 * io.adahit.agents.ranker.BatchRanker}:
 *
 * <ol>
 *   <li>a chat turn: the server's own {@code TurnScheduler} answers a turn of the skill, whose pool
 *       holds every candidate of the examples ({@code BatchRanker.top} against the skill's {@code
 *       CandidateIndex}), asked for the whole pool;
 *   <li>a gRPC Rank: {@code eval_model --server}'s path, {@link Evaluator} with {@link
 *       RemoteModel}'s scorer calling the live server's Rank ({@code RankWork}, {@code
 *       BatchRanker.rank});
 *   <li>an eval example: {@link Evaluator} with {@link LocalScorer} in this process ({@code
 *       BatchRanker.rank}).
 * </ol>
 *
 * Every candidate's score agrees within 1e-6, not bitwise: the chat turn encodes the context in a
 * batch padded with other rows and scores with the engine's matrix product, while Rank and the
 * harness sum each dot product in float in dimension order and encode candidates in batches of
 * their own, so the three differ by float rounding only. Each example's ranking (the candidate
 * order) is the same all three ways.
 */
class OneRankerContractTest {

  private static final int EXAMPLES = 6;
  private static final double TOLERANCE = 1e-6;

  @TempDir static Path tmp;
  private static Backbone backbone;
  private static Path skills;
  private static List<EvalExample> examples;
  private static List<String> pool;
  private static DialogueServer server;

  @BeforeAll
  static void start() throws Exception {
    backbone = Backbone.loadDefault();
    examples =
        ContextBuilder.build(
            TeacherRegistry.builtIn()
                .create("convai2", TeacherOptions.of(SharedData.dir(), Datatype.VALID)),
            EXAMPLES);
    Set<String> all = new LinkedHashSet<>();
    examples.forEach(e -> all.addAll(e.example().labelCandidates()));
    pool = List.copyOf(all);
    skills = tmp.resolve("skills");
    Path base = Files.createDirectories(skills.resolve("base"));
    Files.write(base.resolve("candidates.txt"), pool, StandardCharsets.UTF_8);
    Path ada = Files.createDirectories(skills.resolve("ada"));
    try (AdapterSet set =
        AdapterSet.create(
            backbone,
            AdapterConfig.houlsby("ada", backbone.config().numLayers()),
            new AdapterInit(11, 0.05, 0.05))) {
      AdapterFiles.save(set, ada, Provenance.pending());
    }
    Files.write(ada.resolve("candidates.txt"), pool, StandardCharsets.UTF_8);
    Map<String, String> o = new LinkedHashMap<>();
    o.put("http.port", "0");
    o.put("grpc.port", "0");
    o.put("skills.dir", skills.toString());
    o.put("skills.default", "base");
    o.put("skills.cacheDir", tmp.resolve("server-cache").toString());
    o.put("logs.dir", tmp.resolve("logs").toString());
    o.put("shutdown.graceSeconds", "5");
    if (defaultsHave("\nevents:")) {
      o.put("events.url", null); // no A/B event store: nothing written beside the tests
    }
    server = new DialogueServer(ConfigLoader.load(null, o), new Random(5));
    server.start(LoadProgress.NONE);
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
    if (backbone != null) {
      backbone.close();
    }
  }

  @Test
  void aChatTurnAGrpcRankAndAnEvalExampleScoreTheSameContextAndCandidatesAlike() throws Exception {
    assertThat(pool.size()).as("the pool holds every example's candidates").isGreaterThan(EXAMPLES);
    for (String skill : List.of("base", "ada")) {
      List<Map<String, Float>> chat = chatTurns(skill);
      List<Map<String, Float>> rank;
      try (RemoteModel remote =
          RemoteModel.connect("127.0.0.1:" + server.grpcPort(), skill, 4, Duration.ofMinutes(2))) {
        rank = evaluate(remote.scorerFor(LengthOverrides.NONE, null));
      }
      List<Map<String, Float>> local;
      try (RankingModel model = RankingModel.skill(backbone, skills, skill)) {
        local = evaluate(model.scorerFor(LengthOverrides.NONE, null));
      }
      double chatVsLocal = 0;
      double rankVsLocal = 0;
      for (int i = 0; i < EXAMPLES; i++) {
        List<String> cands = examples.get(i).example().labelCandidates();
        assertThat(local.get(i).keySet())
            .as("example %d ranked every candidate", i)
            .containsAll(cands);
        for (String c : cands) {
          float l = local.get(i).get(c);
          chatVsLocal = Math.max(chatVsLocal, Math.abs(chat.get(i).get(c) - l));
          rankVsLocal = Math.max(rankVsLocal, Math.abs(rank.get(i).get(c) - l));
        }
        assertThat(order(chat.get(i), cands))
            .as("%s example %d: the chat turn's order", skill, i)
            .isEqualTo(order(local.get(i), cands));
        assertThat(order(rank.get(i), cands))
            .as("%s example %d: the gRPC Rank's order", skill, i)
            .isEqualTo(order(local.get(i), cands));
      }
      System.out.printf(
          "one ranker, skill %s: max |chat turn - eval| = %.3g, max |gRPC Rank - eval| = %.3g%n",
          skill, chatVsLocal, rankVsLocal);
      assertThat(chatVsLocal)
          .as("%s: chat turn vs eval example", skill)
          .isLessThanOrEqualTo(TOLERANCE);
      assertThat(rankVsLocal)
          .as("%s: gRPC Rank vs eval example", skill)
          .isLessThanOrEqualTo(TOLERANCE);
    }
  }

  /**
   * Each example's context as a chat turn of {@code skill} through the server's scheduler: every
   * pool text's score.
   */
  private static List<Map<String, Float>> chatTurns(String skill) throws Exception {
    Skill s = server.chat().skills().get(skill);
    List<Map<String, Float>> out = new ArrayList<>();
    for (EvalExample e : examples) {
      TurnResult r =
          server
              .chat()
              .scheduler()
              .submit(new TurnRequest(s, e.context(), Set.of(), pool.size()))
              .get(2, TimeUnit.MINUTES);
      assertThat(r.skill()).isEqualTo(skill);
      assertThat(r.candidates()).as("the whole pool ranked").hasSize(pool.size());
      Map<String, Float> scores = new HashMap<>();
      for (int k = 0; k < r.candidates().size(); k++) {
        scores.put(r.candidates().get(k), r.scores()[k]);
      }
      out.add(scores);
    }
    return out;
  }

  /**
   * The examples through {@link Evaluator} with {@code scorer}, inline candidates: each candidate's
   * score.
   */
  private static List<Map<String, Float>> evaluate(Scorer scorer) throws IOException {
    List<Map<String, Float>> out = new ArrayList<>();
    new Evaluator(scorer, 32, false)
        .run(
            examples,
            CandidateMode.INLINE,
            List.of(),
            n -> {},
            (e, top, scores, m) -> {
              Map<String, Float> byText = new HashMap<>();
              for (int k = 0; k < top.size(); k++) {
                byText.putIfAbsent(top.get(k), scores[k]);
              }
              out.add(byText);
            });
    return out;
  }

  /** The candidates best first by these scores (ties in candidate order). */
  private static List<String> order(Map<String, Float> scores, List<String> candidates) {
    List<String> sorted = new ArrayList<>(new LinkedHashSet<>(candidates));
    sorted.sort((a, b) -> Float.compare(scores.get(b), scores.get(a)));
    return sorted;
  }
}
