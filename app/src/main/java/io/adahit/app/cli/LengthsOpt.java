package io.adahit.app.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adahit.agents.adapters.LengthOverrides;
import io.adahit.agents.adapters.TextLengths;
import io.adahit.eval.report.OptionsJson;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The text lengths a run ranked at, as its report's {@code opt} records them: {@code lengths}, per
 * skill {@code {text_truncate, label_truncate, from}} (from: training, default, override, server);
 * and ParlAI's {@code text_truncate} / {@code label_truncate}, the numbers every skill ranked at
 * when they were the same for all, else the flags given (null: each skill its own).
 *
 * <pre>{@code
 * LengthsOpt.Truncation t = LengthsOpt.truncation(model.lengths(data.overrides()), data.overrides());
 * // t.text() = 128, t.label() = 64 when every skill ranked at 128/64
 * }</pre>
 */
final class LengthsOpt {

  private LengthsOpt() {}

  /**
   * ParlAI's {@code text_truncate} and {@code label_truncate} of a run.
   *
   * @param text the context length of every skill, or the flag given (null: each its own)
   * @param label the same for candidates
   */
  record Truncation(Integer text, Integer label) {}

  static Truncation truncation(Map<String, TextLengths> lengths, LengthOverrides given) {
    boolean uniform =
        !lengths.isEmpty()
            && lengths.values().stream()
                .allMatch(l -> l.sameNumbers(lengths.values().iterator().next()));
    TextLengths first = uniform ? lengths.values().iterator().next() : null;
    return new Truncation(
        uniform ? Integer.valueOf(first.text()) : given.text(),
        uniform ? Integer.valueOf(first.label()) : given.label());
  }

  /** Puts {@code text_truncate}, {@code label_truncate} and {@code lengths} into a JSON opt. */
  static void put(ObjectNode opt, Map<String, TextLengths> lengths, LengthOverrides given) {
    Truncation t = truncation(lengths, given);
    opt.put("text_truncate", t.text());
    opt.put("label_truncate", t.label());
    opt.set("lengths", OptionsJson.lengths(lengths));
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
