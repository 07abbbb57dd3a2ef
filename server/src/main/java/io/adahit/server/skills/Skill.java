package io.adahit.server.skills;

import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.backbone.LayerHooks;
import io.adahit.agents.routing.SkillRouter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * A servable skill: the adapters it puts into the shared backbone (none for the zero-shot
 * backbone), its encoded candidate pool, and the bot personas a conversation on it may get.
 *
 * <p>A <em>router</em> skill ({@code auto}, see {@link #routed}) has neither adapters nor a pool
 * of its own: each turn its {@link SkillRouter} picks one of the other skills from the context,
 * and that skill answers.
 *
 * @param name what clients ask for ({@code ?skill=}, payload, gRPC field)
 * @param adapters the skill's adapter set, null for the zero-shot backbone
 * @param candidates the replies this skill chooses from, encoded once
 * @param personas persona sets (each a list of sentences); empty for a skill without personas
 * @param dir the skill's folder, null for a skill configured by candidate file alone
 * @param router the router of a router skill, else null
 * @param targets for a router skill: the skill a routing decision names (the catalog's lookup)
 */
public record Skill(String name, AdapterSet adapters, CandidatePool candidates,
    List<List<String>> personas, Path dir, SkillRouter router, Function<String, Skill> targets) {

  public Skill {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("skill: name is required");
    }
    if (router == null && candidates == null) {
      throw new IllegalArgumentException("skill '" + name + "': a candidate pool is required");
    }
    if (router != null && (candidates != null || adapters != null || targets == null)) {
      throw new IllegalArgumentException("router skill '" + name + "': takes a target lookup, and no adapters or pool");
    }
    personas = personas.stream().map(List::copyOf).toList();
  }

  /** A skill that answers with its own adapters and pool. */
  public Skill(String name, AdapterSet adapters, CandidatePool candidates, List<List<String>> personas, Path dir) {
    this(name, adapters, candidates, personas, dir, null, null);
  }

  /** A router skill: per turn, {@code router} names which of {@code targets} answers. */
  public static Skill routed(String name, SkillRouter router, List<List<String>> personas, Path dir,
      Function<String, Skill> targets) {
    return new Skill(name, null, null, personas, dir, router, targets);
  }

  public boolean isRouter() {
    return router != null;
  }

  /**
   * The skill that answers a turn routed to {@code routed} by this router skill.
   *
   * @throws IllegalStateException if this is not a router skill, or the routed skill is itself a router
   */
  public Skill target(String routed) {
    if (router == null) {
      throw new IllegalStateException("skill '" + name + "' is not a router");
    }
    Skill s = targets.apply(routed);
    if (s.isRouter()) {
      throw new IllegalStateException("router '" + name + "' routed to router skill '" + routed + "'");
    }
    return s;
  }

  /** Candidates this skill answers from: its pool's size, 0 for a router skill. */
  public int candidateCount() {
    return candidates == null ? 0 : candidates.size();
  }

  /** The hooks the encoder runs with for this skill. */
  public LayerHooks hooks() {
    return adapters == null ? LayerHooks.NONE : adapters;
  }

  public Optional<AdapterSet> adapterSet() {
    return Optional.ofNullable(adapters);
  }

  /**
   * "none" for the zero-shot backbone, "router" for a router skill, else the adapter kind's file
   * name (bottleneck, hierarchical, fusion...).
   */
  public String kind() {
    return router != null ? "router" : adapters == null ? "none" : adapters.kind().fileName();
  }

  /** Parameters the skill adds to the backbone (its own plus its base's or fused adapters'; a router's classifier). */
  public long parameterCount() {
    return router != null ? router.parameterCount() : adapters == null ? 0 : adapters.totalParameterCount();
  }

  public boolean hasPersonas() {
    return !personas.isEmpty();
  }

  /** A persona set drawn at random, or an empty list for a skill without personas. */
  public List<String> drawPersona(RandomGenerator random) {
    return personas.isEmpty() ? List.of() : personas.get(random.nextInt(personas.size()));
  }
}
