package io.adahit.agents.adapters;

/**
 * Lengths a user asked for explicitly, for every skill of a run: {@code eval_model --text-truncate
 * N}, {@code serve --set agent.textTruncate=N}. Null means "each skill's own" ({@link
 * TextLengths}).
 *
 * <pre>{@code
 * LengthOverrides o = LengthOverrides.of(64, null);
 * o.apply(TextLengths.trained(128, 64));   // 64 / 64, origin OVERRIDE
 * LengthOverrides.NONE.apply(l) == l;       // nothing given: the skill's own
 * }</pre>
 *
 * @param text context word pieces, or null for each skill's own
 * @param label candidate word pieces, or null for each skill's own
 */
public record LengthOverrides(Integer text, Integer label) {

  /** Nothing given: every skill at its own lengths. */
  public static final LengthOverrides NONE = new LengthOverrides(null, null);

  public LengthOverrides {
    if (text != null && text < TextLengths.MIN || label != null && label < TextLengths.MIN) {
      throw new IllegalArgumentException(
          "text lengths must be >= "
              + TextLengths.MIN
              + " word pieces, found "
              + (text != null && text < TextLengths.MIN ? "text " + text : "label " + label));
    }
  }

  public static LengthOverrides of(Integer text, Integer label) {
    return text == null && label == null ? NONE : new LengthOverrides(text, label);
  }

  /** Whether either length was given. */
  public boolean any() {
    return text != null || label != null;
  }

  /** {@code skill}'s lengths with the given ones in place of its own. */
  public TextLengths apply(TextLengths skill) {
    if (!any()) {
      return skill;
    }
    return new TextLengths(
        text != null ? text : skill.text(),
        label != null ? label : skill.label(),
        TextLengths.Origin.OVERRIDE);
  }
}
