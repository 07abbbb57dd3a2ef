package io.adahit.eval.teachers;

import java.util.List;

/**
 * The examples of one episode (one conversation), in order; only the last has {@code episodeDone}.
 *
 * <pre>{@code
 * for (Episode ep : teacher.episodes()) {
 *   for (int i = 0; i < ep.size(); i++) {
 *     String name = ep.exampleName(teacher, i);   // "convai2 valid episode 0 example 0"
 *   }
 * }
 * }</pre>
 *
 * @param index 0-based position of the episode in its teacher
 * @param examples the episode's examples; at least one
 */
public record Episode(int index, List<Example> examples) {

  public Episode {
    if (index < 0) {
      throw new IllegalArgumentException("episode index must be >= 0, found " + index);
    }
    if (examples == null || examples.isEmpty()) {
      throw new IllegalArgumentException(
          "episode " + index + ": examples must hold at least one example, found " + examples);
    }
    examples = List.copyOf(examples);
    for (int i = 0; i < examples.size(); i++) {
      boolean last = i == examples.size() - 1;
      if (examples.get(i).episodeDone() != last) {
        throw new IllegalArgumentException(
            "episode "
                + index
                + ": episodeDone must be set on the last example only, found "
                + examples.get(i).episodeDone()
                + " on example "
                + i
                + " of "
                + examples.size());
      }
    }
  }

  /** Number of examples. */
  public int size() {
    return examples.size();
  }

  /** A readable name for example {@code entry}, e.g. for error messages and world logs. */
  public String exampleName(Teacher teacher, int entry) {
    return teacher.task() + " " + teacher.datatype() + " episode " + index + " example " + entry;
  }
}
