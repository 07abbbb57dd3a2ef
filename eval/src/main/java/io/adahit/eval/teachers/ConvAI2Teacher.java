package io.adahit.eval.teachers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * ParlAI's default {@code convai2} teacher ({@code SelfOriginalTeacher}): ConvAI2 valid with the
 * model's own persona, in fbdialog format. The first example of an episode has the {@code your
 * persona:} lines and the partner's first utterance joined with "\n"; later examples have the
 * partner's utterance only. ConvAI2 has no public test set, so {@code test} reads valid, as ParlAI
 * does.
 *
 * <p>Files under datapath: {@code convai2/valid_self_original.txt} (with the official 20 candidates
 * per turn, gold last) when present, else {@code convai2/valid_self_original_no_cands.txt} with K =
 * 20 = gold + 19 sampled from other episodes.
 *
 * <pre>{@code
 * Teacher t = ConvAI2Teacher.load(TeacherOptions.of(datapath, Datatype.VALID));
 * t.numEpisodes();   // 1000
 * t.numExamples();   // 7801
 * }</pre>
 */
public final class ConvAI2Teacher extends FixedTeacher {

  public static final String TASK = "convai2";
  static final int DEFAULT_K = 20;

  private ConvAI2Teacher(
      TeacherOptions options, Path file, List<List<Draft>> drafts, List<String> differences) {
    super(TASK, TASK, options, file, drafts, OptionalInt.of(DEFAULT_K), differences);
  }

  /** Reads ConvAI2 valid (also for {@code test}). */
  public static ConvAI2Teacher load(TeacherOptions options) throws IOException {
    Path file =
        options.require(
            TASK, "convai2/valid_self_original.txt", "convai2/valid_self_original_no_cands.txt");
    List<List<Draft>> drafts = FbDialogFormat.read(file);
    boolean allHaveCands =
        drafts.stream().flatMap(List::stream).allMatch(d -> d.candidates() != null);
    List<String> differences = new ArrayList<>();
    if (!allHaveCands) {
      differences.add(
          "no official label_candidates in "
              + file.getFileName()
              + ": ParlAI's default teacher"
              + " reads valid_self_original.txt with 20 candidates per turn (gold last); here K-1"
              + " negatives are sampled from other episodes' replies and the gold is placed at a"
              + " random position, so hits@1/20 is comparable in difficulty but not identical");
    }
    return new ConvAI2Teacher(options, file, drafts, differences);
  }
}
