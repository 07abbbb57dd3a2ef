package io.adahit.eval.teachers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * ParlAI's {@code fromfile} task: examples from a file in ParlAI's dialog text format ({@code
 * fromfile:parlaiformat}, the default; see {@link ParlaiDialogFormat}), or in fbdialog format
 * ({@code fromfile:fbformat}). The file is {@link TeacherOptions#dataFile()} (ParlAI's {@code
 * --fromfile-datapath}), used as given for any datatype.
 *
 * <p>Candidates are the lines' {@code label_candidates}; examples without any get K sampled ones
 * only when {@link TeacherOptions#withNumCandidates} is set.
 *
 * <pre>{@code
 * // my.txt: text:hi\tlabels:hello\tlabel_candidates:hello|bye\tepisode_done:True
 * Teacher t = FromFileTeacher.load(
 *     TeacherOptions.of(datapath, Datatype.VALID).withDataFile(Path.of("my.txt")));
 * }</pre>
 */
public final class FromFileTeacher extends FixedTeacher {

  public static final String TASK = "fromfile";
  public static final String FBFORMAT = "fromfile:fbformat";

  private FromFileTeacher(
      String task,
      TeacherOptions options,
      Path file,
      List<List<Draft>> drafts,
      List<String> differences) {
    super(task, idOf(file), options, file, drafts, OptionalInt.empty(), differences);
  }

  /** Reads a ParlAI dialog text file. */
  public static FromFileTeacher load(TeacherOptions options) throws IOException {
    Path file = requireDataFile(TASK, options);
    List<String> differences = new ArrayList<>();
    differences.add(
        "a field without ':' is an error here; ParlAI's str_to_msg silently makes a garbled"
            + " field of it");
    if (options.numCandidates().isPresent()) {
      differences.add(
          "examples without label_candidates get gold + K-1 sampled ones (ParlAI gives them"
              + " none)");
    }
    return new FromFileTeacher(TASK, options, file, ParlaiDialogFormat.read(file), differences);
  }

  /** Reads an fbdialog file ({@code fromfile:fbformat}). */
  public static FromFileTeacher loadFbFormat(TeacherOptions options) throws IOException {
    Path file = requireDataFile(FBFORMAT, options);
    List<String> differences = new ArrayList<>();
    differences.add(
        "context with no labelled line after it in its episode is an error here; ParlAI yields"
            + " it as an example without labels");
    if (options.numCandidates().isPresent()) {
      differences.add(
          "examples without label_candidates get gold + K-1 sampled ones (ParlAI gives them"
              + " none)");
    }
    return new FromFileTeacher(FBFORMAT, options, file, FbDialogFormat.read(file), differences);
  }

  private static Path requireDataFile(String task, TeacherOptions options) throws IOException {
    Path file =
        options
            .dataFile()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "task '"
                            + task
                            + "' needs a data file (ParlAI's --fromfile-datapath):"
                            + " set TeacherOptions.withDataFile, found none"));
    DataFiles.requireFile(task, file);
    return file;
  }

  /** ParlAI's id for a fromfile teacher: the enclosing folder's name and the file name. */
  private static String idOf(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    String dir = parent == null || parent.getFileName() == null ? "" : parent.getFileName() + "/";
    return dir + file.getFileName();
  }
}
