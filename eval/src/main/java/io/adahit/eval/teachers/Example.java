package io.adahit.eval.teachers;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One ParlAI-style example as a teacher acts it: the message a ranking agent observes.
 *
 * <p>{@code text} is the new turn only, as ParlAI's teachers give it (the first example of an
 * episode carries the context, e.g. the {@code your persona:} lines); the agent builds the dialogue
 * history itself by joining texts and its previous replies (ParlAI: the labels) with "\n", and
 * clears it after {@code episodeDone}. {@code fields} keeps the task's extra message fields by
 * their ParlAI names ({@code emotion}, {@code situation}, {@code checked_sentence}, {@code
 * knowledge}, ...).
 *
 * <pre>{@code
 * Example ex = new Example("convai2", "your persona: i like ski.\nhi", List.of("hello"),
 *     List.of("bye", "hello"), false, Map.of());
 * ex.labelCandidates().size();   // 2
 * }</pre>
 *
 * @param id ParlAI's {@code id} field: the teacher's name
 * @param text the turn to respond to
 * @param evalLabels the gold replies (ParlAI's {@code eval_labels}); never empty
 * @param labelCandidates the candidates to rank (gold included); empty when the teacher has none
 * @param episodeDone whether this is the last example of its episode
 * @param fields other message fields by ParlAI name, in a stable order
 */
public record Example(
    String id,
    String text,
    List<String> evalLabels,
    List<String> labelCandidates,
    boolean episodeDone,
    Map<String, String> fields) {

  public Example {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("example id must be non-empty, found '" + id + "'");
    }
    if (text == null) {
      throw new IllegalArgumentException("example '" + id + "': text must not be null");
    }
    if (evalLabels == null || evalLabels.isEmpty()) {
      throw new IllegalArgumentException(
          "example '" + id + "': evalLabels must hold at least one label, found " + evalLabels);
    }
    evalLabels = List.copyOf(evalLabels);
    if (labelCandidates == null) {
      throw new IllegalArgumentException(
          "example '" + id + "': labelCandidates must not be null (use an empty list)");
    }
    labelCandidates = List.copyOf(labelCandidates);
    if (fields == null) {
      throw new IllegalArgumentException(
          "example '" + id + "': fields must not be null (use an empty map)");
    }
    fields.forEach(
        (k, v) -> {
          if (k == null || v == null) {
            throw new IllegalArgumentException(
                "example '" + id + "': fields must not hold nulls, found " + k + "=" + v);
          }
        });
    fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }
}
