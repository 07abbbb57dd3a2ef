package io.adahit.agents.adapters;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The contents of {@code adapter_config.json}, one per skill directory: the architecture ({@link
 * AdapterConfig}), the backbone it was trained on, its size, the fingerprint of its weights in
 * {@code adapter.safetensors}, the base adapter it stacks on (AdaHIT) or the adapters it fuses
 * (AdapterFusion), and its {@link Provenance}. Written by {@link AdapterFiles#save} and checked by
 * {@link AdapterFiles#load}; the layout follows AdapterHub's adapter_config.json (architecture
 * under {@code "config"}) plus what a frozen shared backbone needs.
 *
 * <pre>{@code
 * AdapterManifest m = AdapterFiles.readManifest(dir);
 * if (m.base() != null) { ... m.base().skill() ... }
 * }</pre>
 *
 * @param formatVersion {@link AdapterFiles#FORMAT_VERSION}
 * @param config the architecture, skill name and kind
 * @param hiddenSize the backbone width d the weights were made for
 * @param backbone name and fingerprint ({@code Backbone.fingerprint()}) of the backbone
 * @param parameterCount number of parameters in {@code adapter.safetensors} (θΔ)
 * @param weightsFingerprint {@link AdapterFiles#weightsFingerprint} of those tensors
 * @param base the base adapter of a hierarchical skill, null otherwise
 * @param fused the adapters a fusion skill attends over, in order (their names and the fingerprints
 *     the fusion was trained with); empty otherwise, and then not written, so other kinds' files
 *     are unchanged
 * @param provenance how the weights were trained
 */
public record AdapterManifest(
    @JsonProperty("format_version") int formatVersion,
    @JsonProperty("config") AdapterConfig config,
    @JsonProperty("hidden_size") int hiddenSize,
    @JsonProperty("backbone") BackboneRef backbone,
    @JsonProperty("parameter_count") long parameterCount,
    @JsonProperty("weights_fingerprint") String weightsFingerprint,
    @JsonProperty("base") BaseRef base,
    @JsonProperty("fused") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<FusedRef> fused,
    @JsonProperty("provenance") Provenance provenance) {

  private static final Pattern FINGERPRINT = Pattern.compile("sha256:[0-9a-f]{64}");

  public AdapterManifest {
    if (config == null) {
      throw new IllegalArgumentException("adapter manifest: config is required, found null");
    }
    String who = "adapter '" + config.skill() + "': ";
    if (hiddenSize < 1) {
      throw new IllegalArgumentException(who + "hidden_size must be >= 1, found " + hiddenSize);
    }
    if (backbone == null) {
      throw new IllegalArgumentException(who + "backbone is required, found null");
    }
    if (parameterCount < 0) {
      throw new IllegalArgumentException(
          who + "parameter_count must be >= 0, found " + parameterCount);
    }
    checkFingerprint(who + "weights_fingerprint", weightsFingerprint);
    boolean hierarchical = config.kind() == AdapterKind.HIERARCHICAL;
    if (hierarchical && base == null) {
      throw new IllegalArgumentException(
          who + "base is required for kind hierarchical, found null");
    }
    if (!hierarchical && base != null) {
      throw new IllegalArgumentException(
          who
              + "base must be null for kind "
              + config.kind().fileName()
              + ", found '"
              + base.skill()
              + "'");
    }
    fused = fused == null ? List.of() : List.copyOf(fused);
    boolean fusion = config.kind() == AdapterKind.FUSION;
    if (fusion && fused.isEmpty()) {
      throw new IllegalArgumentException(
          who + "fused must list the adapters of kind fusion, found none");
    }
    if (!fusion && !fused.isEmpty()) {
      throw new IllegalArgumentException(
          who
              + "fused must be empty for kind "
              + config.kind().fileName()
              + ", found "
              + fused.stream().map(FusedRef::skill).toList());
    }
    Set<String> names = new HashSet<>();
    for (FusedRef f : fused) {
      if (f == null) {
        throw new IllegalArgumentException(who + "fused must not hold null entries");
      }
      if (!names.add(f.skill())) {
        throw new IllegalArgumentException(
            who + "fused adapters must be distinct, found '" + f.skill() + "' twice");
      }
    }
    provenance = provenance == null ? Provenance.pending() : provenance;
  }

  static void checkFingerprint(String field, String value) {
    if (value == null || !FINGERPRINT.matcher(value).matches()) {
      throw new IllegalArgumentException(
          field
              + " must be 'sha256:' and 64 lowercase hex digits, found "
              + (value == null ? "null" : "'" + value + "'"));
    }
  }

  /**
   * The lengths this skill ranks at unless a user says otherwise: its own training lengths ({@link
   * Provenance#trainedLengths()}); for a hierarchical skill without them, its base's; else the
   * harness defaults {@link TextLengths#DEFAULTS}. A fusion counts its own training lengths (it was
   * trained at them over its fused adapters).
   *
   * @param baseManifest the base adapter's manifest of a hierarchical skill, else null (ignored)
   */
  public TextLengths servingLengths(AdapterManifest baseManifest) {
    return provenance
        .trainedLengths()
        .or(
            () ->
                base != null && baseManifest != null
                    ? baseManifest.provenance().trainedLengths()
                    : java.util.Optional.<TextLengths>empty())
        .orElse(TextLengths.DEFAULTS);
  }

  /** The same manifest with another provenance (e.g. after the final validation run). */
  public AdapterManifest withProvenance(Provenance p) {
    return new AdapterManifest(
        formatVersion,
        config,
        hiddenSize,
        backbone,
        parameterCount,
        weightsFingerprint,
        base,
        fused,
        p);
  }

  /**
   * The backbone a skill was trained on.
   *
   * @param name e.g. all-MiniLM-L6-v2 (informative)
   * @param fingerprint {@code Backbone.fingerprint()}, compared on load
   */
  public record BackboneRef(
      @JsonProperty("name") String name, @JsonProperty("fingerprint") String fingerprint) {
    public BackboneRef {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException(
            "adapter manifest: backbone.name is required, found " + name);
      }
      checkFingerprint("adapter manifest: backbone.fingerprint", fingerprint);
    }
  }

  /**
   * The frozen base adapter a hierarchical skill stacks on.
   *
   * @param skill the base's skill name (its directory sits beside this one in a registry folder)
   * @param fingerprint the base's weights fingerprint when this skill was trained
   */
  public record BaseRef(
      @JsonProperty("skill") String skill, @JsonProperty("fingerprint") String fingerprint) {
    public BaseRef {
      if (skill == null || skill.isBlank()) {
        throw new IllegalArgumentException(
            "adapter manifest: base.skill is required, found " + skill);
      }
      checkFingerprint("adapter manifest: base.fingerprint", fingerprint);
    }
  }

  /**
   * One adapter a fusion skill attends over.
   *
   * @param skill the fused skill's name (its directory sits beside this one in a registry folder)
   * @param fingerprint its weights fingerprint when the fusion was trained
   */
  public record FusedRef(
      @JsonProperty("skill") String skill, @JsonProperty("fingerprint") String fingerprint) {
    public FusedRef {
      if (skill == null || skill.isBlank()) {
        throw new IllegalArgumentException(
            "adapter manifest: fused[].skill is required, found " + skill);
      }
      checkFingerprint("adapter manifest: fused adapter '" + skill + "' fingerprint", fingerprint);
    }
  }
}
