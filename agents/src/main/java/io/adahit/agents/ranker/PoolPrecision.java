package io.adahit.agents.ranker;

import java.util.Locale;

/**
 * How a {@link CandidateIndex} stores its candidate embeddings on the engine.
 *
 * <ul>
 *   <li>{@link #FP32}: as encoded, 4 bytes per value (a 5,000 × 384 pool: 7.3 MiB).
 *   <li>{@link #INT8}: each candidate's embedding rounded to 8-bit integers with its own scale (max
 *       |value| / 127), 1 byte per value plus 4 per candidate (the same pool: 1.9 MiB); scores are
 *       the context's dot product with the rounded embedding times the scale, so they differ from
 *       fp32's by at most |context|₁ · scale / 2.
 * </ul>
 */
public enum PoolPrecision {
  FP32,
  INT8;

  /** The lower-case name used in configuration ({@code fp32}, {@code int8}). */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @param what names the setting in the error, e.g. {@code config: skills.poolPrecision}
   * @throws IllegalArgumentException naming {@code what} and the allowed values
   */
  public static PoolPrecision parse(String s, String what) {
    String id = s == null ? null : s.trim().toLowerCase(Locale.ROOT);
    for (PoolPrecision p : values()) {
      if (p.id().equals(id)) {
        return p;
      }
    }
    throw new IllegalArgumentException(what + " must be fp32 or int8, found '" + s + "'");
  }
}
