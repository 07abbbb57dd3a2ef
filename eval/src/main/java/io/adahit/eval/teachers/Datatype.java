package io.adahit.eval.teachers;

import java.util.Locale;

/**
 * The split a teacher reads: ParlAI's {@code -dt valid|test}. The harness only evaluates, so {@code
 * train} is rejected. ParlAI's suffixes ({@code valid:stream}, {@code test:ordered}) are accepted
 * and ignored: every teacher here yields its examples in file order.
 *
 * <pre>{@code
 * Datatype dt = Datatype.parse("valid:stream");   // VALID
 * }</pre>
 */
public enum Datatype {
  VALID,
  TEST;

  /** ParlAI's spelling, {@code "valid"} or {@code "test"}. */
  public String parlaiName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses ParlAI's {@code -dt} value. */
  public static Datatype parse(String datatype) {
    String base = datatype == null ? "" : datatype.split(":", 2)[0].trim();
    return switch (base) {
      case "valid" -> VALID;
      case "test" -> TEST;
      default ->
          throw new IllegalArgumentException(
              "datatype must be valid or test (optionally with a ParlAI suffix such as"
                  + " ':stream'), found '"
                  + datatype
                  + "'");
    };
  }

  @Override
  public String toString() {
    return parlaiName();
  }
}
