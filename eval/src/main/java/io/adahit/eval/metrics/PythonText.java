package io.adahit.eval.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * The few Python {@code str} operations whose exact semantics ParlAI's data readers and metrics
 * rely on: {@code isspace()}, {@code strip()} and {@code split()} with no argument.
 *
 * <p>Java's {@link String#strip()} and {@link Character#isWhitespace(int)} differ from Python on a
 * handful of characters (no-break spaces U+00A0/U+2007/U+202F, U+0085, U+001C..U+001F), which occur
 * in crowd-sourced dialogue text; using these keeps parsing and normalisation identical.
 *
 * <pre>{@code
 * PythonText.strip("\u00a0hi \n");          // "hi"
 * PythonText.split("  a\tb\u3000c ");       // [a, b, c]
 * }</pre>
 */
public final class PythonText {

  private PythonText() {}

  /**
   * Python's {@code str.isspace()} for one code point (Unicode White_Space plus U+001C..U+001F).
   */
  public static boolean isSpace(int cp) {
    switch (cp) {
      case '\t',
          '\n',
          0x0B,
          0x0C,
          '\r',
          0x1C,
          0x1D,
          0x1E,
          0x1F,
          ' ',
          0x85,
          0xA0,
          0x1680,
          0x2028,
          0x2029,
          0x202F,
          0x205F,
          0x3000 -> {
        return true;
      }
      default -> {
        return cp >= 0x2000 && cp <= 0x200A;
      }
    }
  }

  /** Python's {@code s.strip()}: removes leading and trailing {@link #isSpace} characters. */
  public static String strip(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isSpace(s.charAt(start))) {
      start++;
    }
    while (end > start && isSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }

  /** Python's {@code s.split()}: splits on runs of whitespace, dropping empty pieces. */
  public static List<String> split(String s) {
    List<String> out = new ArrayList<>();
    int i = 0;
    int n = s.length();
    while (i < n) {
      while (i < n && isSpace(s.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < n && !isSpace(s.charAt(i))) {
        i++;
      }
      if (i > start) {
        out.add(s.substring(start, i));
      }
    }
    return out;
  }
}
