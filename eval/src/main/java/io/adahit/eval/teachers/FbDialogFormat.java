package io.adahit.eval.teachers;

import io.adahit.eval.metrics.PythonText;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Reads ParlAI's "fbdialog" format as {@code FbDeprecatedDialogTeacher.setup_data} does.
 *
 * <p>Each line is {@code <n> <text>[\t<label>[|<label>...][\t<reward>[\t<cand>|<cand>...]]]};
 * {@code n} restarting (not increasing) begins a new episode. Lines without a label are context:
 * they are joined with "\n" in front of the next labelled line's text. Lines are stripped, fields
 * stripped, and a literal {@code \n} becomes a newline.
 *
 * <p>One deliberate difference: context left with no labelled line after it (at the end of an
 * episode or the file) is an error here; ParlAI would yield it as an example without labels, which
 * cannot be evaluated.
 */
final class FbDialogFormat {

  private FbDialogFormat() {}

  static List<List<Draft>> read(Path file) throws IOException {
    List<String> lines = DataFiles.readLines(file);
    List<List<Draft>> episodes = new ArrayList<>();
    List<Draft> current = null;
    String x = "";
    int xLine = 0;
    Integer lastConvId = null;
    for (int lineNo = 1; lineNo <= lines.size(); lineNo++) {
      String line = PythonText.strip(lines.get(lineNo - 1)).replace("\\n", "\n");
      if (line.isEmpty()) {
        continue;
      }
      int space = line.indexOf(' ');
      int convId;
      try {
        convId = Integer.parseInt(space == -1 ? line : line.substring(0, space));
      } catch (NumberFormatException e) {
        throw new IOException(
            DataFiles.where(file, lineNo)
                + ": fbdialog lines must start with a turn number,"
                + " found '"
                + abbreviate(line)
                + "'");
      }
      String[] split = line.substring(space + 1).split("\t", -1);
      for (int i = 0; i < split.length; i++) {
        split[i] = PythonText.strip(split[i]);
      }
      if (lastConvId == null || convId <= lastConvId) {
        requireNoPendingContext(file, xLine, x);
        current = new ArrayList<>();
        episodes.add(current);
        x = split[0];
        xLine = lineNo;
      } else {
        x = x.isEmpty() ? split[0] : x + "\n" + split[0];
        if (xLine == 0) {
          xLine = lineNo;
        }
      }
      lastConvId = convId;
      if (split.length > 1 && !split[1].isEmpty()) {
        List<String> labels = Arrays.asList(split[1].split("\\|", -1));
        List<String> cands = split.length > 3 ? Arrays.asList(split[3].split("\\|", -1)) : null;
        current.add(new Draft(x, labels, cands, Map.of()));
        x = "";
        xLine = 0;
      }
    }
    requireNoPendingContext(file, xLine, x);
    return episodes;
  }

  private static void requireNoPendingContext(Path file, int xLine, String x) throws IOException {
    if (!PythonText.strip(x).isEmpty()) {
      throw new IOException(
          DataFiles.where(file, xLine)
              + ": context '"
              + abbreviate(x)
              + "' is followed by no"
              + " labelled line in its episode (ParlAI would yield an example without labels,"
              + " which cannot be evaluated)");
    }
  }

  private static String abbreviate(String s) {
    String one = s.replace("\n", "\\n");
    return one.length() <= 80 ? one : one.substring(0, 77) + "...";
  }
}
