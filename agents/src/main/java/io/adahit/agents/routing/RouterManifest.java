package io.adahit.agents.routing;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.adahit.agents.adapters.AdapterManifest;
import io.adahit.agents.adapters.Provenance;
import io.adahit.agents.backbone.Truncation;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The contents of {@code router_config.json} in a router's directory (e.g. {@code skills/auto}):
 * which skills it routes to (in the order of its weight rows), the backbone whose zero-shot
 * embeddings it reads and how contexts are encoded for it, its size, the fingerprint of its weights
 * in {@code router.safetensors}, and its {@link Provenance} (training files, held-out routing
 * accuracy). Written by {@link SkillRouter#save} and checked by {@link SkillRouter#load}.
 *
 * @param formatVersion {@link SkillRouter#FORMAT_VERSION}
 * @param name the router's skill name, {@code auto} by default
 * @param kind the classifier, {@value SkillRouter#KIND}
 * @param skills the skills it routes to, distinct, in row order
 * @param hiddenSize the backbone width d
 * @param backbone name and fingerprint of the backbone whose embeddings it classifies
 * @param maxLength max context word pieces when embedding a context
 * @param truncation which end of a long context is kept (ParlAI keeps the end)
 * @param parameterCount parameters in {@code router.safetensors}: S·d + S
 * @param weightsFingerprint SHA-256 of those tensors ({@code FloatTensor.fingerprint})
 * @param provenance how it was trained
 */
public record RouterManifest(
    @JsonProperty("format_version") int formatVersion,
    @JsonProperty("name") String name,
    @JsonProperty("kind") String kind,
    @JsonProperty("skills") List<String> skills,
    @JsonProperty("hidden_size") int hiddenSize,
    @JsonProperty("backbone") AdapterManifest.BackboneRef backbone,
    @JsonProperty("max_length") int maxLength,
    @JsonProperty("truncation") Truncation truncation,
    @JsonProperty("parameter_count") long parameterCount,
    @JsonProperty("weights_fingerprint") String weightsFingerprint,
    @JsonProperty("provenance") Provenance provenance) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
  private static final Pattern FINGERPRINT = Pattern.compile("sha256:[0-9a-f]{64}");

  public RouterManifest {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "router: name must match "
              + NAME.pattern()
              + ", found "
              + (name == null ? "null" : "'" + name + "'"));
    }
    String who = "router '" + name + "': ";
    if (!SkillRouter.KIND.equals(kind)) {
      throw new IllegalArgumentException(
          who
              + "kind must be '"
              + SkillRouter.KIND
              + "', found "
              + (kind == null ? "null" : "'" + kind + "'"));
    }
    if (skills == null || skills.size() < 2) {
      throw new IllegalArgumentException(
          who + "skills must name at least 2 skills to choose between, found " + skills);
    }
    Set<String> seen = new HashSet<>();
    for (String s : skills) {
      if (s == null || !NAME.matcher(s).matches()) {
        throw new IllegalArgumentException(
            who
                + "skills must be skill names ("
                + NAME.pattern()
                + "), found "
                + (s == null ? "null" : "'" + s + "'"));
      }
      if (!seen.add(s)) {
        throw new IllegalArgumentException(
            who + "skills must be distinct, found '" + s + "' twice");
      }
      if (s.equals(name)) {
        throw new IllegalArgumentException(
            who + "cannot route to itself, found '" + s + "' among its skills");
      }
    }
    skills = List.copyOf(skills);
    if (hiddenSize < 1) {
      throw new IllegalArgumentException(who + "hidden_size must be >= 1, found " + hiddenSize);
    }
    if (backbone == null) {
      throw new IllegalArgumentException(who + "backbone is required, found null");
    }
    if (maxLength < 2) {
      throw new IllegalArgumentException(who + "max_length must be >= 2, found " + maxLength);
    }
    if (truncation == null) {
      throw new IllegalArgumentException(
          who + "truncation is required (KEEP_END or KEEP_START), found null");
    }
    long expected = (long) skills.size() * hiddenSize + skills.size();
    if (parameterCount != expected) {
      throw new IllegalArgumentException(
          who
              + "parameter_count must be skills × hidden_size + skills = "
              + expected
              + ", found "
              + parameterCount);
    }
    if (weightsFingerprint == null || !FINGERPRINT.matcher(weightsFingerprint).matches()) {
      throw new IllegalArgumentException(
          who
              + "weights_fingerprint must be 'sha256:' and 64 lowercase hex digits, found "
              + (weightsFingerprint == null ? "null" : "'" + weightsFingerprint + "'"));
    }
    provenance = provenance == null ? Provenance.pending() : provenance;
  }
}
