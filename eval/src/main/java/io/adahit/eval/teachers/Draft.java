package io.adahit.eval.teachers;

import java.util.List;
import java.util.Map;

/**
 * An example as a reader parsed it, before candidates are completed and {@code episodeDone} set.
 *
 * @param candidates the data's own label candidates, or null when the data gives none
 */
record Draft(
    String text, List<String> labels, List<String> candidates, Map<String, String> fields) {

  Draft(String text, List<String> labels, Map<String, String> fields) {
    this(text, labels, null, fields);
  }
}
