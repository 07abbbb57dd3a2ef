package io.adahit.eval.metrics;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * ParlAI's answer normalisation ({@code parlai/core/metrics.py normalize_answer}), applied before
 * any label is compared with a prediction or a ranked candidate.
 *
 * <p>Steps, in ParlAI's order: lowercase; every ASCII punctuation character (Python's {@code
 * string.punctuation}, including {@code _} and {@code '}) becomes a space; the whole words {@code
 * a}, {@code an}, {@code the} become a space (word boundaries are Unicode-aware, as in Python 3's
 * {@code re}); runs of whitespace collapse to one space and the ends are trimmed.
 *
 * <pre>{@code
 * AnswerNormalizer.normalize("The cat's  hat!");   // "cat s hat"
 * AnswerNormalizer.normalize("An apple, a day");   // "apple day"
 * }</pre>
 */
public final class AnswerNormalizer {

  /** {@code re_punc = re.compile(r'[!"#$%&()*+,-./:;<=>?@\[\]\\^`{|}~_\']')}. */
  private static final Pattern PUNCTUATION =
      Pattern.compile("[!\"#$%&()*+,\\-./:;<=>?@\\[\\]\\\\^`{|}~_']");

  /** {@code re_art = re.compile(r'\b(a|an|the)\b')}, with Python 3's Unicode {@code \b}. */
  private static final Pattern ARTICLES =
      Pattern.compile("\\b(a|an|the)\\b", Pattern.UNICODE_CHARACTER_CLASS);

  private AnswerNormalizer() {}

  /** Normalises {@code s} exactly as ParlAI's {@code normalize_answer} does. */
  public static String normalize(String s) {
    String lower = s.toLowerCase(Locale.ROOT);
    String noPunct = PUNCTUATION.matcher(lower).replaceAll(" ");
    String noArticles = ARTICLES.matcher(noPunct).replaceAll(" ");
    return String.join(" ", PythonText.split(noArticles));
  }
}
