package io.adahit.eval.teachers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads ParlAI's dialog text format as {@code ParlAIDialogTeacher._setup_data} with {@code
 * parlai.utils.misc.str_to_msg} does.
 *
 * <p>One example per non-empty line (lines end at '\n' only; a '\r' stays in the line), fields
 * separated by TAB, each {@code name:value} split at the first ':'. Values decode {@code \t},
 * {@code \n} and {@code __PIPE__}; {@code labels} and {@code label_candidates} (and {@code
 * text_candidates}) split on '|' first. {@code text} and {@code labels} are required, {@code
 * eval_labels} is refused (ParlAI converts labels itself). As in ParlAI, any non-empty {@code
 * episode_done} value (even {@code False}) ends the episode (Python's {@code bool(str)}), and the
 * file's last episode ends at the last line. Other fields are kept, decoded, in the example's
 * fields.
 */
final class ParlaiDialogFormat {

  private ParlaiDialogFormat() {}

  static List<List<Draft>> read(Path file) throws IOException {
    String all = DataFiles.readString(file);
    String[] lines = all.split("\n", -1);
    List<List<Draft>> episodes = new ArrayList<>();
    List<Draft> current = new ArrayList<>();
    for (int lineNo = 1; lineNo <= lines.length; lineNo++) {
      String line = lines[lineNo - 1];
      if (line.isEmpty()) {
        continue;
      }
      String where = DataFiles.where(file, lineNo);
      String text = null;
      List<String> labels = null;
      List<String> cands = null;
      boolean done = false;
      Map<String, String> fields = new LinkedHashMap<>();
      for (String t : line.split("\t", -1)) {
        if (t.isEmpty()) {
          continue;
        }
        int colon = t.indexOf(':');
        if (colon < 0) {
          throw new IOException(
              where
                  + ": every field must be name:value, found '"
                  + t
                  + "' (ParlAI would read it as a garbled field)");
        }
        String key = t.substring(0, colon);
        String value = t.substring(colon + 1);
        switch (key) {
          case "text" -> text = unescape(value);
          case "labels" -> labels = toList(value);
          case "label_candidates" -> cands = toList(value);
          case "episode_done" -> done = !value.isEmpty();
          case "eval_labels" ->
              throw new IOException(
                  where
                      + ": use 'labels', not 'eval_labels', in a data file (ParlAI converts"
                      + " labels to eval_labels itself)");
          case "id" -> {}
          case "text_candidates" -> fields.put(key, String.join("|", toList(value)));
          default -> fields.put(key, unescape(value));
        }
      }
      if (text == null) {
        throw new IOException(where + ": a 'text' field is required in every line");
      }
      if (labels == null) {
        throw new IOException(where + ": a 'labels' field is required in every line");
      }
      current.add(new Draft(text, labels, cands, fields));
      if (done) {
        episodes.add(current);
        current = new ArrayList<>();
      }
    }
    episodes.add(current);
    return episodes;
  }

  static String unescape(String s) {
    return s.replace("\\t", "\t").replace("\\n", "\n").replace("__PIPE__", "|");
  }

  private static List<String> toList(String value) {
    return Arrays.stream(value.split("\\|", -1)).map(ParlaiDialogFormat::unescape).toList();
  }
}
