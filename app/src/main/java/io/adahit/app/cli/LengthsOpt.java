package io.adahit.app.cli;

import io.adahit.agents.adapters.LengthOverrides;
import io.adahit.agents.adapters.TextLengths;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The text lengths a run ranked at, as its report's {@code opt} records them: {@code lengths}, per
 * skill {@code {text_truncate, label_truncate, from}} (from: training, default, override, server);
 * and ParlAI's {@code text_truncate} / {@code label_truncate}, the numbers every skill ranked at
 * when they were the same for all, else the flags given (null: each skill its own).
 *
 * <pre>{@code
 * LengthsOpt.put(opt, model.lengths(data.overrides()), data.overrides());
 * // opt: text_truncate=128, label_truncate=64, lengths={convai2={text_truncate=128, label_truncate=64, from=training}}
 * }</pre>
 */
final class LengthsOpt {

  private LengthsOpt() {}

  static void put(
      Map<String, Object> opt, Map<String, TextLengths> lengths, LengthOverrides given) {
    boolean uniform =
        !lengths.isEmpty()
            && lengths.values().stream()
                .allMatch(l -> l.sameNumbers(lengths.values().iterator().next()));
    TextLengths first = uniform ? lengths.values().iterator().next() : null;
    opt.put("text_truncate", uniform ? Integer.valueOf(first.text()) : given.text());
    opt.put("label_truncate", uniform ? Integer.valueOf(first.label()) : given.label());
    Map<String, Object> per = new LinkedHashMap<>();
    lengths.forEach((skill, l) -> per.put(skill, l.toOpt()));
    opt.put("lengths", per);
  }

  /** One line for the terminal: {@code convai2 128/64 (training), base 256/128 (default)}. */
  static String describe(Map<String, TextLengths> lengths) {
    return lengths.isEmpty()
        ? "as the server serves them"
        : lengths.entrySet().stream()
            .map(e -> e.getKey() + " " + e.getValue())
            .collect(Collectors.joining(", "));
  }
}
