package io.adahit.agents.adapters;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How many word pieces of a context and of a candidate reply a skill's encoder sees: ParlAI's
 * {@code --text-truncate} (contexts keep their end, the latest turns) and {@code --label-truncate}
 * (replies keep their start). A skill is ranked at the lengths it was trained at, read from its
 * manifest's provenance ({@code context_length}, {@code reply_length}, see {@link
 * Provenance#trainedLengths()}); a skill without them (the zero-shot backbone, an untrained or
 * older adapter) at the harness defaults {@link #DEFAULTS}, 256 / 128; a user's flag or config
 * setting overrides either ({@link LengthOverrides}).
 *
 * <pre>{@code
 * TextLengths l = registry.entry("convai2").lengths();          // e.g. 128 / 64, origin TRAINED
 * RankerOptions o = RankerOptions.defaults().withLengths(l);
 * TextLengths forced = LengthOverrides.of(64, null).apply(l);   // 64 / 64, origin OVERRIDE
 * }</pre>
 *
 * @param text context word pieces, special tokens included
 * @param label candidate word pieces, special tokens included
 * @param origin where the numbers came from
 */
public record TextLengths(int text, int label, Origin origin) {

  /** Where a skill's lengths came from. */
  public enum Origin {
    /** The skill's training settings (its manifest, or its base adapter's). */
    TRAINED("training"),
    /** No training lengths recorded: the harness defaults. */
    DEFAULT("default"),
    /** A flag or config setting the user gave (at least one of the two numbers). */
    OVERRIDE("override"),
    /** What a server says it serves the skill at (its own choice of the above). */
    SERVER("server");

    private final String label;

    Origin(String label) {
      this.label = label;
    }

    /** How reports name it: training, default, override. */
    public String label() {
      return label;
    }
  }

  /**
   * The evaluation harness' defaults (ParlAI's bi-encoder setting here): contexts 256, candidates
   * 128.
   */
  public static final TextLengths DEFAULTS = new TextLengths(256, 128, Origin.DEFAULT);

  /** Shortest length accepted: [CLS] and [SEP] plus one word piece. */
  public static final int MIN = 3;

  public TextLengths {
    if (text < MIN || label < MIN) {
      throw new IllegalArgumentException(
          "text lengths must be >= "
              + MIN
              + " word pieces, found text "
              + text
              + ", label "
              + label);
    }
    if (origin == null) {
      throw new IllegalArgumentException("text lengths: origin is required");
    }
  }

  /** Lengths recorded in training settings. */
  public static TextLengths trained(int text, int label) {
    return new TextLengths(text, label, Origin.TRAINED);
  }

  /** How a report's {@code opt} records them: {@code {text_truncate, label_truncate, from}}. */
  public Map<String, Object> toOpt() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("text_truncate", text);
    m.put("label_truncate", label);
    m.put("from", origin.label());
    return m;
  }

  /** Same numbers, whatever their origin. */
  public boolean sameNumbers(TextLengths o) {
    return text == o.text && label == o.label;
  }

  @Override
  public String toString() {
    return text + "/" + label + " (" + origin.label() + ")";
  }
}
