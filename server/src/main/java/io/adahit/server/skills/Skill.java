package io.adahit.server.skills;

import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.adapters.TextLengths;
import io.adahit.agents.backbone.LayerHooks;
import io.adahit.agents.ranker.CandidateIndex;
import io.adahit.agents.routing.SkillRouter;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * A servable skill: the adapters it puts into the shared backbone (none for the zero-shot
 * backbone), its encoded candidate pool, and the bot personas a conversation on it may get.
 *
 * <p>A <em>router</em> skill ({@code auto}, see {@link #routed}) has neither adapters nor a pool of
 * its own: each turn its {@link SkillRouter} picks one of the other skills from the context, and
 * that skill answers.
 *
 * @param name what clients ask for ({@code ?skill=}, payload, gRPC field)
 * @param adapters the skill's adapter set, null for the zero-shot backbone
 * @param candidates the replies this skill chooses from, encoded once
 * @param personas persona sets (each a list of sentences); empty for a skill without personas
 * @param dir the skill's folder, null for a skill configured by candidate file alone
 * @param router the router of a router skill, else null
 * @param targets for a router skill: the skill a routing decision names (the catalog's lookup)
 * @param lengths the word pieces of context and candidate its encoder sees (its training lengths
 *     unless the config overrides them; its pool is encoded at {@code lengths.label()}); null for a
 *     router skill, which routes at its router's own length and answers at the routed skill's
 */
public record Skill(
    String name,
    AdapterSet adapters,
    CandidateIndex candidates,
    List<List<String>> personas,
    Path dir,
    SkillRouter router,
    Function<String, Skill> targets,
    TextLengths lengths) {

  public Skill {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("skill: name is required");
    }
    if (router == null && candidates == null) {
      throw new IllegalArgumentException("skill '" + name + "': a candidate pool is required");
    }
    if (router != null
        && (candidates != null || adapters != null || targets == null || lengths != null)) {
      throw new IllegalArgumentException(
          "router skill '"
              + name
              + "': takes a target lookup, and no adapters, pool"
              + " or lengths");
    }
    if (router == null && lengths == null) {
      throw new IllegalArgumentException("skill '" + name + "': its text lengths are required");
    }
    personas = personas.stream().map(List::copyOf).toList();
  }

  /** A skill that answers with its own adapters and pool, encoded at {@code lengths}. */
  public Skill(
      String name,
      AdapterSet adapters,
      CandidateIndex candidates,
      List<List<String>> personas,
      Path dir,
      TextLengths lengths) {
    this(name, adapters, candidates, personas, dir, null, null, lengths);
  }

  /**
   * A skill at the harness default lengths ({@link TextLengths#DEFAULTS}), its pool encoded at
   * them.
   */
  public Skill(
      String name,
      AdapterSet adapters,
      CandidateIndex candidates,
      List<List<String>> personas,
      Path dir) {
    this(name, adapters, candidates, personas, dir, TextLengths.DEFAULTS);
  }

  /** A router skill: per turn, {@code router} names which of {@code targets} answers. */
  public static Skill routed(
      String name,
      SkillRouter router,
      List<List<String>> personas,
      Path dir,
      Function<String, Skill> targets) {
    return new Skill(name, null, null, personas, dir, router, targets, null);
  }

  /**
   * The same skill (adapters, pool, personas) with contexts cut at other lengths; the pool stays
   * encoded as it was, so only {@code text} should differ (tests, and what a config override of
   * contexts alone does).
   */
  public Skill withContextLength(int text) {
    if (router != null) {
      throw new IllegalStateException("router skill '" + name + "' routes at its router's length");
    }
    return new Skill(
        name,
        adapters,
        candidates,
        personas,
        dir,
        null,
        null,
        new TextLengths(text, lengths.label(), TextLengths.Origin.OVERRIDE));
  }

  /**
   * Word pieces of context the router of a router skill reads; for other skills {@code
   * lengths().text()}.
   */
  public int contextLength() {
    return router != null ? router.encodeOptions().maxLength() : lengths.text();
  }

  public boolean isRouter() {
    return router != null;
  }

  /**
   * The skill that answers a turn routed to {@code routed} by this router skill.
   *
   * @throws IllegalStateException if this is not a router skill, or the routed skill is itself a
   *     router
   */
  public Skill target(String routed) {
    if (router == null) {
      throw new IllegalStateException("skill '" + name + "' is not a router");
    }
    Skill s = targets.apply(routed);
    if (s.isRouter()) {
      throw new IllegalStateException(
          "router '" + name + "' routed to router skill '" + routed + "'");
    }
    return s;
  }

  /**
   * How a user is told who answers: {@code 'convai2'}, {@code 'base' (the zero-shot backbone)}, or
   * for a router {@code 'auto' (routes each turn to convai2, wizard_of_wikipedia or ...)}.
   */
  public String describe() {
    if (router != null) {
      List<String> s = router.skills();
      String list =
          s.size() == 1
              ? s.get(0)
              : String.join(", ", s.subList(0, s.size() - 1)) + " or " + s.get(s.size() - 1);
      return "'" + name + "' (routes each turn to " + list + ")";
    }
    return adapters == null ? "'" + name + "' (the zero-shot backbone)" : "'" + name + "'";
  }

  /** Candidates this skill answers from: its pool's size, 0 for a router skill. */
  public int candidateCount() {
    return candidates == null ? 0 : candidates.size();
  }

  /** The hooks the encoder runs with for this skill. */
  public LayerHooks hooks() {
    return adapters == null ? LayerHooks.NONE : adapters;
  }

  /**
   * "none" for the zero-shot backbone, "router" for a router skill, else the adapter kind's file
   * name (bottleneck, hierarchical, fusion...).
   */
  public String kind() {
    return router != null ? "router" : adapters == null ? "none" : adapters.kind().fileName();
  }

  /**
   * SHA-256 of the skill's own trained weights: its adapters' (not their base's or fused skills'),
   * or its router's; "" for the zero-shot backbone. ListSkills and {@code adahit_skill_info} show
   * it.
   */
  public String weightsFingerprint() {
    return router != null
        ? router.weightsFingerprint()
        : adapters == null ? "" : adapters.weightsFingerprint();
  }

  /**
   * Parameters the skill adds to the backbone (its own plus its base's or fused adapters'; a
   * router's classifier).
   */
  public long parameterCount() {
    return router != null
        ? router.parameterCount()
        : adapters == null ? 0 : adapters.totalParameterCount();
  }

  public boolean hasPersonas() {
    return !personas.isEmpty();
  }

  /** A persona set drawn at random, or an empty list for a skill without personas. */
  public List<String> drawPersona(RandomGenerator random) {
    return personas.isEmpty() ? List.of() : personas.get(random.nextInt(personas.size()));
  }
}
