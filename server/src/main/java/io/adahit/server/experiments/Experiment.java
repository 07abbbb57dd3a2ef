package io.adahit.server.experiments;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An A/B test of adapter variants of one skill: each conversation on {@code skill} is served by one
 * variant, chosen by weight. The choice is a pure function of the conversation id and the
 * experiment name (SHA-256, see {@link #assign}), so it survives restarts and every replica makes
 * the same one; the first variant is the control the others are compared with.
 *
 * <pre>{@code
 * Experiment e = new Experiment("convai2-da", "convai2", List.of(
 *     new Experiment.Variant("da64", null, 1.0),               // the skill's adapter as served
 *     new Experiment.Variant("da16", "convai2_da16", 1.0)));   // skills/convai2_da16
 * e.assign("4f1c...").name();                                // "da64" or "da16", always the same
 * }</pre>
 *
 * @param name lowercase letters, digits, '_' and '-', at most 64 (a metric tag and a database key)
 * @param skill the servable skill whose conversations are split
 * @param variants 2 to {@value #MAX_VARIANTS}, distinct names
 */
public record Experiment(
    @JsonProperty("name") String name,
    @JsonProperty("skill") String skill,
    @JsonProperty("variants") List<Variant> variants) {

  /** Most variants one experiment may have (metric tags stay bounded). */
  public static final int MAX_VARIANTS = 8;

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

  /**
   * One arm.
   *
   * @param name as {@link Experiment#name}
   * @param adapter adapter directory inside the skills folder, loaded for this arm (also when it is
   *     the directory the skill serves now, so a later replace of the skill leaves the arm as it
   *     is); null = the skill's own adapter as served (then a replace of the skill changes this arm
   *     too)
   * @param weight relative share of conversations, positive and finite; null (absent) = 1
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Variant(
      @JsonProperty("name") String name,
      @JsonProperty("adapter") String adapter,
      @JsonProperty("weight") Double weight) {
    public Variant {
      checkName(name, "variant name");
      weight = weight == null ? 1.0 : weight;
      if (!(weight > 0) || Double.isInfinite(weight)) {
        throw new IllegalArgumentException(
            "experiment variant '" + name + "': weight must be a positive number, found " + weight);
      }
      adapter = adapter == null || adapter.isBlank() ? null : adapter.strip();
    }
  }

  public Experiment {
    checkName(name, "experiment name");
    if (skill == null || skill.isBlank()) {
      throw new IllegalArgumentException("experiment '" + name + "': skill is required");
    }
    if (variants == null || variants.size() < 2 || variants.size() > MAX_VARIANTS) {
      throw new IllegalArgumentException(
          "experiment '"
              + name
              + "': needs 2.."
              + MAX_VARIANTS
              + " variants, found "
              + (variants == null ? 0 : variants.size()));
    }
    Set<String> seen = new HashSet<>();
    for (Variant v : variants) {
      if (v == null) {
        throw new IllegalArgumentException("experiment '" + name + "': a variant is empty");
      }
      if (!seen.add(v.name())) {
        throw new IllegalArgumentException(
            "experiment '" + name + "': variant name '" + v.name() + "' is used twice");
      }
    }
    variants = List.copyOf(variants);
  }

  private static void checkName(String value, String what) {
    if (value == null || !NAME.matcher(value).matches()) {
      throw new IllegalArgumentException(
          what
              + " must be 1..64 of a-z, 0-9, '_' and '-' (starting with a letter or"
              + " digit), found "
              + (value == null ? "none" : "'" + value + "'"));
    }
  }

  /** The control arm: the first variant. */
  public Variant control() {
    return variants.get(0);
  }

  /** The variant called {@code variant}, or null. */
  public Variant variant(String variant) {
    return variants.stream().filter(v -> v.name().equals(variant)).findFirst().orElse(null);
  }

  /**
   * The variant serving {@code conversationId}: the first 53 bits of SHA-256(name + '\n' + id) as a
   * uniform number u in [0, 1), then the variant whose cumulative weight share first exceeds u.
   * Deterministic across processes and platforms.
   */
  public Variant assign(String conversationId) {
    double u = unit(name + "\n" + conversationId);
    double total = variants.stream().mapToDouble(Variant::weight).sum();
    double cumulative = 0;
    for (Variant v : variants) {
      cumulative += v.weight() / total;
      if (u < cumulative) {
        return v;
      }
    }
    return variants.get(variants.size() - 1); // u close to 1 and rounding in the sum
  }

  static double unit(String key) {
    byte[] digest = sha256().digest(key.getBytes(StandardCharsets.UTF_8));
    long bits = ByteBuffer.wrap(digest).getLong() >>> 11; // 53 bits
    return bits * 0x1.0p-53;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
