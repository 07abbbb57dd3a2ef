package io.adahit.server.skills;

import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.backbone.LayerHooks;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * A servable skill: the adapters it puts into the shared backbone (none for the zero-shot
 * backbone), its encoded candidate pool, and the bot personas a conversation on it may get.
 *
 * @param name what clients ask for ({@code ?skill=}, payload, gRPC field)
 * @param adapters the skill's adapter set, null for the zero-shot backbone
 * @param candidates the replies this skill chooses from, encoded once
 * @param personas persona sets (each a list of sentences); empty for a skill without personas
 * @param dir the skill's folder, null for a skill configured by candidate file alone
 */
public record Skill(String name, AdapterSet adapters, CandidatePool candidates,
    List<List<String>> personas, Path dir) {

  public Skill {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("skill: name is required");
    }
    if (candidates == null) {
      throw new IllegalArgumentException("skill '" + name + "': a candidate pool is required");
    }
    personas = personas.stream().map(List::copyOf).toList();
  }

  /** The hooks the encoder runs with for this skill. */
  public LayerHooks hooks() {
    return adapters == null ? LayerHooks.NONE : adapters;
  }

  public Optional<AdapterSet> adapterSet() {
    return Optional.ofNullable(adapters);
  }

  /** "none" for the zero-shot backbone, else the adapter kind's file name (bottleneck, hierarchical...). */
  public String kind() {
    return adapters == null ? "none" : adapters.kind().fileName();
  }

  /** Parameters the skill adds to the backbone (its own plus its base adapter's). */
  public long parameterCount() {
    return adapters == null ? 0 : adapters.totalParameterCount();
  }

  public boolean hasPersonas() {
    return !personas.isEmpty();
  }

  /** A persona set drawn at random, or an empty list for a skill without personas. */
  public List<String> drawPersona(RandomGenerator random) {
    return personas.isEmpty() ? List.of() : personas.get(random.nextInt(personas.size()));
  }
}
