package io.adahit.eval.harness;

import io.adahit.agents.routing.SkillRouter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Scores through a skill router ({@code --skill auto}), as the server answers a conversation bound
 * to a router skill: each example's context is routed first (the router's zero-shot pass over the
 * batch's contexts), the examples are grouped by the skill chosen, and each group is scored by that
 * skill's own {@link Scorer} (its adapters, and its embedding cache under its own encoder id).
 * Every result records the skill chosen, for the report's routing counts and accuracy.
 *
 * <pre>{@code
 * Map<String, Scorer> bySkill = Map.of("convai2", convai2Scorer, "empathetic_dialogues", edScorer);
 * Scorer auto = RoutedScorer.of(SkillRouter.load(Path.of("skills/auto"), backbone), bySkill);
 * List<Scorer.Scored> s = auto.score(examples, candidateLists, n -> {});
 * s.get(0).routedTo();   // e.g. "convai2"
 * }</pre>
 */
public final class RoutedScorer implements Scorer {

  /** Contexts routed per router call (one progress step). */
  private static final int CHUNK = 512;

  private final List<String> skills;
  private final Function<List<String>, List<String>> route;
  private final Map<String, Scorer> bySkill;

  /**
   * @param skills the skills {@code route} may name, in the router's order
   * @param route the chosen skill of each context, in order
   * @param bySkill a scorer for every one of {@code skills}
   * @throws IllegalArgumentException if a skill has no scorer
   */
  public RoutedScorer(
      List<String> skills,
      Function<List<String>, List<String>> route,
      Map<String, Scorer> bySkill) {
    List<String> missing = skills.stream().filter(s -> !bySkill.containsKey(s)).toList();
    if (skills.isEmpty() || !missing.isEmpty()) {
      throw new IllegalArgumentException(
          "routed scoring: every router skill needs a scorer; router skills "
              + skills
              + ", missing "
              + missing);
    }
    this.skills = List.copyOf(skills);
    this.route = route;
    this.bySkill = Map.copyOf(bySkill);
  }

  /** Routes with {@code router} ({@link SkillRouter#route(List)}). */
  public static RoutedScorer of(SkillRouter router, Map<String, Scorer> bySkill) {
    return new RoutedScorer(
        router.skills(),
        contexts -> router.route(contexts).stream().map(SkillRouter.Routing::skill).toList(),
        bySkill);
  }

  @Override
  public List<Scored> score(
      List<EvalExample> examples, List<List<String>> candidates, Evaluator.Progress progress)
      throws IOException {
    List<String> chosen = new ArrayList<>(examples.size());
    Map<String, List<Integer>> groups = new LinkedHashMap<>();
    skills.forEach(s -> groups.put(s, new ArrayList<>()));
    for (int start = 0; start < examples.size(); start += CHUNK) {
      List<String> contexts =
          examples.subList(start, Math.min(examples.size(), start + CHUNK)).stream()
              .map(EvalExample::context)
              .toList();
      List<String> skill = route.apply(contexts);
      if (skill.size() != contexts.size()) {
        throw new IllegalStateException(
            "router returned " + skill.size() + " skills for " + contexts.size() + " contexts");
      }
      chosen.addAll(skill);
      progress.advance(contexts.size());
    }
    for (int i = 0; i < chosen.size(); i++) {
      List<Integer> g = groups.get(chosen.get(i));
      if (g == null) {
        throw new IllegalStateException(
            "router chose skill '" + chosen.get(i) + "', not one of its skills " + skills);
      }
      g.add(i);
    }
    long work = examples.size(); // the routing pass, then each group's own encoding
    for (List<Integer> g : groups.values()) {
      work += LocalScorer.work(g.size(), g.stream().map(candidates::get).toList());
    }
    progress.expect(work);
    Scored[] out = new Scored[examples.size()];
    for (Map.Entry<String, List<Integer>> g : groups.entrySet()) {
      List<Integer> idx = g.getValue();
      if (idx.isEmpty()) {
        continue;
      }
      List<Scored> part =
          bySkill
              .get(g.getKey())
              .score(
                  idx.stream().map(examples::get).toList(),
                  idx.stream().map(candidates::get).toList(),
                  progress);
      for (int k = 0; k < idx.size(); k++) {
        out[idx.get(k)] = new Scored(part.get(k).ranking(), g.getKey());
      }
    }
    return List.of(out);
  }

  @Override
  public List<String> routerSkills() {
    return skills;
  }

  @Override
  public long encodedTexts() {
    return sum(Scorer::encodedTexts);
  }

  @Override
  public long cachedTexts() {
    return sum(Scorer::cachedTexts);
  }

  /** The groups' counts added up; -1 when no group has a cache. */
  private long sum(java.util.function.ToLongFunction<Scorer> count) {
    long total = -1;
    for (Scorer s : bySkill.values()) {
      long c = count.applyAsLong(s);
      if (c >= 0) {
        total = Math.max(total, 0) + c;
      }
    }
    return total;
  }
}
