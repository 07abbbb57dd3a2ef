package io.adahit.eval.teachers;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A source of evaluation examples in ParlAI's teacher semantics: episodes of {@link Example}s read
 * from one data file, with the label candidates to rank, and an account of how it differs from
 * ParlAI's own teacher for the task.
 *
 * <p>Teachers are created by a {@link TeacherRegistry} and hold their (small) data in memory, so
 * counts are known up front and iteration is repeatable.
 *
 * <pre>{@code
 * Teacher t = TeacherRegistry.builtIn()
 *     .create("convai2", TeacherOptions.of(Path.of("../shared/data"), Datatype.VALID));
 * t.numEpisodes();          // 1000
 * t.numExamples();          // 7801
 * t.candidateSource();      // "gold + 19 sampled from other episodes' labels ..., seed 0"
 * t.examples().forEach(ex -> ...);
 * }</pre>
 */
public interface Teacher {

  /** The task name it is registered under ({@code convai2}, {@code wizard_of_wikipedia}, ...). */
  String task();

  /** The split asked for. */
  Datatype datatype();

  /** The file actually read. */
  Path dataFile();

  /** All episodes, in file order. */
  List<Episode> episodes();

  /** Number of examples over all episodes. */
  int numExamples();

  /** Number of episodes. */
  default int numEpisodes() {
    return episodes().size();
  }

  /** All examples, episode by episode. */
  default Stream<Example> examples() {
    return episodes().stream().flatMap(ep -> ep.examples().stream());
  }

  /**
   * How the label candidates were made, e.g. {@code "gold + 99 sampled from other episodes' labels
   * of this split, seed 0, ..."} or {@code "the data file's label_candidates"}.
   */
  String candidateSource();

  /** Every known difference from ParlAI's teacher for this task and split, one per entry. */
  List<String> knownDifferences();
}
