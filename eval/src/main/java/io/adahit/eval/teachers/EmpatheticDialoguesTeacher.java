package io.adahit.eval.teachers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.eval.metrics.PythonText;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * ParlAI's default {@code empathetic_dialogues} teacher for valid/test: the experiencer side only.
 * Each example's text is the Speaker's (experiencer's) utterance and its label the Listener's reply
 * that follows it (utterances 1→2, 3→4, ...); a conversation is one episode. Fields: {@code
 * emotion} (the CSV's {@code context}) and {@code situation} (its {@code prompt}). K = 100.
 *
 * <p>Layouts, by file name:
 *
 * <ul>
 *   <li>{@code *.jsonl} (the default {@code ed/{valid,test}.jsonl}, rebuilt; see
 *       shared/data/README.md): one conversation per line with {@code utterances}.
 *   <li>{@code *.csv}: the original ParlAI CSV ({@code ed/{split}.csv} or {@code
 *       empatheticdialogues/empatheticdialogues/{split}.csv} when present), parsed as ParlAI does
 *       (split on ',', {@code _comma_} → ',', the 9th column's {@code |}-separated candidates with
 *       {@code _pipe_} → '|').
 * </ul>
 *
 * <pre>{@code
 * Teacher t = EmpatheticDialoguesTeacher.load(TeacherOptions.of(datapath, Datatype.VALID));
 * t.examples().findFirst().get().fields().get("emotion");   // "terrified"
 * }</pre>
 */
public final class EmpatheticDialoguesTeacher extends FixedTeacher {

  public static final String TASK = "empathetic_dialogues";
  static final int DEFAULT_K = 100;

  private EmpatheticDialoguesTeacher(
      TeacherOptions options, Path file, List<List<Draft>> drafts, List<String> differences) {
    super(TASK, TASK, options, file, drafts, OptionalInt.of(DEFAULT_K), differences);
  }

  public static EmpatheticDialoguesTeacher load(TeacherOptions options) throws IOException {
    String dt = options.datatype().parlaiName();
    Path file =
        options.require(
            TASK,
            "ed/" + dt + ".csv",
            "empatheticdialogues/empatheticdialogues/" + dt + ".csv",
            "ed/" + dt + ".jsonl");
    List<String> differences = new ArrayList<>();
    List<List<Draft>> drafts;
    if (file.getFileName().toString().endsWith(".csv")) {
      drafts = readCsv(file);
    } else {
      drafts = readJsonl(file);
      differences.add(
          "rebuilt data (shared/data/README.md, ed/): two conversations are missing,"
              + " hit:*_conv:24785 in valid (2,768 episodes / 5,736 examples vs ParlAI's 2,769 /"
              + " 5,738) and hit:*_conv:24847 in test (2,546 / 5,257 vs 2,547 / 5,259)");
      differences.add(
          "utterances and situations are whitespace-trimmed in the rebuilt data; ParlAI keeps the"
              + " CSV's leading/trailing spaces on text and situation (labels are stripped in"
              + " both)");
      differences.add(
          "a few utterances containing '\"' may have a quote moved or dropped by an upstream CSV"
              + " parser (47 in valid, 67 in test)");
    }
    boolean allHaveCands =
        drafts.stream().flatMap(List::stream).allMatch(d -> d.candidates() != null);
    if (!allHaveCands) {
      differences.add(
          "no inline label_candidates (ParlAI's valid/test CSV ships 100 per example in its 9th"
              + " column): gold + K-1 negatives sampled from other episodes' listener replies");
    }
    return new EmpatheticDialoguesTeacher(options, file, drafts, differences);
  }

  private static List<List<Draft>> readJsonl(Path file) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    List<String> lines = DataFiles.readLines(file);
    List<List<Draft>> episodes = new ArrayList<>();
    for (int lineNo = 1; lineNo <= lines.size(); lineNo++) {
      String line = lines.get(lineNo - 1);
      if (line.isBlank()) {
        continue;
      }
      JsonNode conv = DataFiles.readJsonLine(mapper, file, lineNo, line);
      JsonNode utts = conv.path("utterances");
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put("emotion", DataFiles.text(conv, "emotion", ""));
      fields.put("situation", DataFiles.text(conv, "situation", ""));
      List<Draft> drafts = new ArrayList<>();
      for (int i = 0; i < utts.size(); i++) {
        int idx = utts.get(i).path("utterance_idx").asInt(-1);
        if (idx != i + 1) {
          throw new IOException(
              DataFiles.where(file, lineNo)
                  + ": conversation "
                  + conv.path("conv_id").asText()
                  + ": utterance_idx must count 1, 2, ...; found "
                  + idx
                  + " at position "
                  + i);
        }
        if (i > 0 && idx % 2 == 0) {
          drafts.add(
              new Draft(
                  utts.get(i - 1).path("text").asText(),
                  List.of(PythonText.strip(utts.get(i).path("text").asText())),
                  fields));
        }
      }
      episodes.add(drafts);
    }
    return episodes;
  }

  /** A port of {@code EmpatheticDialoguesTeacher.setup_data} for datatypes other than train. */
  private static List<List<Draft>> readCsv(Path file) throws IOException {
    List<String> lines = DataFiles.readLines(file);
    List<List<Draft>> episodes = new ArrayList<>();
    List<Draft> current = new ArrayList<>();
    int turn = 1;
    for (int i = 1; i < lines.size(); i++) {
      String[] c = PythonText.strip(lines.get(i - 1)).split(",", -1);
      String[] s = PythonText.strip(lines.get(i)).split(",", -1);
      if (!c[0].equals(s[0])) {
        turn = 1;
        episodes.add(current);
        current = new ArrayList<>();
        continue;
      }
      int lineNo = i + 1;
      if (c.length < 8 || (s.length != 8 && s.length != 9)) {
        throw new IOException(
            DataFiles.where(file, lineNo)
                + ": an ED CSV line must have 8 or 9 fields, found "
                + s.length
                + " (and "
                + c.length
                + " on the line before)");
      }
      turn++;
      int prevIdx = parseInt(file, lineNo - 1, c[1]);
      int idx = parseInt(file, lineNo, s[1]);
      if (prevIdx + 1 != idx || idx != turn) {
        throw new IOException(
            DataFiles.where(file, lineNo)
                + ": utterance_idx must follow "
                + prevIdx
                + " as "
                + turn
                + ", found "
                + idx);
      }
      String text = c[5].replace("_comma_", ",");
      String label = PythonText.strip(s[5].replace("_comma_", ","));
      List<String> cands = null;
      if (s.length == 9 && !s[8].isEmpty()) {
        cands =
            Arrays.stream(s[8].split("\\|", -1))
                .map(x -> PythonText.strip(x.replace("_comma_", ",").replace("_pipe_", "|")))
                .toList();
      }
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put("emotion", s[2]);
      fields.put("situation", s[3].replace("_comma_", ","));
      if (idx % 2 == 0) {
        current.add(new Draft(text, List.of(label), cands, fields));
      }
    }
    episodes.add(current);
    return episodes;
  }

  private static int parseInt(Path file, int lineNo, String s) throws IOException {
    try {
      return Integer.parseInt(PythonText.strip(s));
    } catch (NumberFormatException e) {
      throw new IOException(
          DataFiles.where(file, lineNo) + ": utterance_idx must be an integer, found '" + s + "'");
    }
  }
}
