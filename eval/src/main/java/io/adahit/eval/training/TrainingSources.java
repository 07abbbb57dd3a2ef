package io.adahit.eval.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.eval.teachers.DataFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Readers for the training files of ../shared/data (its README's table "What to use for what"),
 * each turning one file into {@link TrainingDialogue}s the way the skill's eval teacher builds its
 * examples: persona chats get their speaker's persona as {@code your persona:} lines before the
 * first turn; every format keeps the dialogue history.
 */
final class TrainingSources {

  private final ObjectMapper mapper = new ObjectMapper();

  /** A reader of one file format. */
  @FunctionalInterface
  interface Reader {
    List<TrainingDialogue> read(TrainingSources s, Path file, String name) throws IOException;
  }

  /**
   * PersonaChat test (KnowEE layout): the listener answers the speaker, with the listener's
   * persona.
   */
  List<TrainingDialogue> personaChat(Path file, String name) throws IOException {
    List<TrainingDialogue> out = new ArrayList<>();
    for (JsonNode ep : json(file)) {
      List<String> utts = strings(ep.path("dialogue"));
      out.add(sideOf(name, strings(ep.path("listener persona")), utts, 0));
    }
    return out;
  }

  /**
   * FSB's persona layout: {@code meta} = persona lines, {@code dialogue} = [partner, reply] pairs.
   */
  List<TrainingDialogue> fsbPersona(Path file, String name) throws IOException {
    List<TrainingDialogue> out = new ArrayList<>();
    for (JsonNode ep : json(file)) {
      JsonNode meta = ep.path("meta");
      List<String> persona = meta.isArray() ? strings(meta) : strings(meta.path("assistant"));
      out.add(fromPairs(name, persona, ep.path("dialogue")));
    }
    return out;
  }

  /** FSB's WoW layout: history of [apprentice, wizard] pairs; no persona, no topic line. */
  List<TrainingDialogue> fsbWow(Path file, String name) throws IOException {
    List<TrainingDialogue> out = new ArrayList<>();
    for (JsonNode ep : json(file)) {
      out.add(fromPairs(name, List.of(), ep.path("dialogue")));
    }
    return out;
  }

  /**
   * KILT's WoW: {@code input} = the history joined by "\n", {@code output[0].answer} = the reply.
   */
  List<TrainingDialogue> kiltWow(Path file, String name) throws IOException {
    List<TrainingDialogue> out = new ArrayList<>();
    for (JsonLine l : jsonLines(file)) {
      JsonNode o = l.node();
      String answer = o.path("output").path(0).path("answer").asText("");
      if (!o.path("input").isTextual() || answer.isEmpty()) {
        throw new IOException(
            DataFiles.where(file, l.lineNo()) + ": a KILT line needs 'input' and output[0].answer");
      }
      out.add(new TrainingDialogue(name, List.of(o.get("input").asText()), List.of(answer)));
    }
    return out;
  }

  /**
   * ED (rebuilt JSONL): the listener answers the speaker's previous utterance, as the ED teacher.
   */
  List<TrainingDialogue> empathetic(Path file, String name) throws IOException {
    List<TrainingDialogue> out = new ArrayList<>();
    for (JsonLine l : jsonLines(file)) {
      List<String> utts = new ArrayList<>();
      for (JsonNode u : l.node().path("utterances")) {
        utts.add(u.path("text").asText());
      }
      if (utts.size() >= 2) {
        out.add(sideOf(name, List.of(), utts, 0));
      }
    }
    return out;
  }

  /** BST train turns (CSV {@code sequenceID,text}): free worker → guided worker, no personas. */
  List<TrainingDialogue> bstTurns(Path file, String name) throws IOException {
    Map<String, List<String>> episodes = new LinkedHashMap<>();
    try (CSVParser p =
        CSVParser.parse(
            file,
            StandardCharsets.UTF_8,
            CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build())) {
      for (CSVRecord r : p) {
        if (r.size() < 2) {
          throw new IOException(
              file + ":" + p.getCurrentLineNumber() + ": expected 'sequenceID,text'");
        }
        episodes.computeIfAbsent(r.get(0), k -> new ArrayList<>()).add(r.get(1));
      }
    }
    List<TrainingDialogue> out = new ArrayList<>();
    for (List<String> utts : episodes.values()) {
      if (utts.size() >= 2) {
        out.add(sideOf(name, List.of(), utts, 0));
      }
    }
    return out;
  }

  /** MSC sessions 2-3 ({@code personas}, {@code dialog}): both speakers' sides. */
  List<TrainingDialogue> mscDialogue(Path file, String name) throws IOException {
    List<TrainingDialogue> out = new ArrayList<>();
    for (JsonLine l : jsonLines(file)) {
      JsonNode o = l.node();
      bothSides(
          out,
          name,
          texts(o.path("dialog")),
          strings(o.path("personas").path(0)),
          strings(o.path("personas").path(1)));
    }
    return out;
  }

  /** MSC session 1 (persona summary layout): both speakers' sides with their initial personas. */
  List<TrainingDialogue> mscSession1(Path file, String name) throws IOException {
    List<TrainingDialogue> out = new ArrayList<>();
    for (JsonLine l : jsonLines(file)) {
      JsonNode o = l.node();
      JsonNode personas = o.path("init_personachat").path("init_personas");
      bothSides(
          out, name, texts(o.path("dialog")), strings(personas.path(0)), strings(personas.path(1)));
    }
    return out;
  }

  /** Speaker 1 answers turns 1, 3, ...; speaker 2 answers turns 0, 2, ... */
  private static void bothSides(
      List<TrainingDialogue> out,
      String name,
      List<String> utts,
      List<String> first,
      List<String> second) {
    if (utts.size() >= 2) {
      out.add(sideOf(name, second, utts, 0));
    }
    if (utts.size() >= 3) {
      out.add(sideOf(name, first, utts.subList(1, utts.size()), 0));
    }
  }

  /**
   * The side answering {@code utts[start]}, {@code utts[start+2]}, ...; a trailing unanswered turn
   * yields nothing.
   */
  private static TrainingDialogue sideOf(
      String name, List<String> persona, List<String> utts, int start) {
    List<String> texts = new ArrayList<>();
    List<String> replies = new ArrayList<>();
    for (int i = start; i + 1 < utts.size(); i += 2) {
      texts.add(utts.get(i));
      replies.add(utts.get(i + 1));
    }
    return withPersona(name, persona, texts, replies);
  }

  private static TrainingDialogue fromPairs(String name, List<String> persona, JsonNode pairs) {
    List<String> texts = new ArrayList<>();
    List<String> replies = new ArrayList<>();
    for (JsonNode pair : pairs) {
      if (pair.size() >= 2) {
        texts.add(pair.get(0).asText());
        replies.add(pair.get(1).asText());
      }
    }
    return withPersona(name, persona, texts, replies);
  }

  /** ConvAI2's layout: "your persona: ..." lines, then the first partner turn, joined by "\n". */
  private static TrainingDialogue withPersona(
      String name, List<String> persona, List<String> texts, List<String> replies) {
    if (!persona.isEmpty() && !texts.isEmpty()) {
      StringBuilder first = new StringBuilder();
      for (String p : persona) {
        first.append("your persona: ").append(p.strip()).append('\n');
      }
      List<String> t = new ArrayList<>(texts);
      t.set(0, first + t.get(0));
      texts = t;
    }
    return new TrainingDialogue(name, texts, replies);
  }

  private static List<String> texts(JsonNode dialog) {
    List<String> out = new ArrayList<>();
    for (JsonNode turn : dialog) {
      out.add(turn.path("text").asText());
    }
    return out;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : array) {
      out.add(n.asText());
    }
    return out;
  }

  private JsonNode json(Path file) throws IOException {
    requireFile(file);
    JsonNode root = DataFiles.readJson(mapper, file);
    if (root == null || !root.isArray()) {
      throw new IOException(file + ": expected a JSON array of dialogues");
    }
    return root;
  }

  /** A non-blank line of a JSON Lines file, parsed, with its 1-based line number. */
  private record JsonLine(int lineNo, JsonNode node) {}

  private List<JsonLine> jsonLines(Path file) throws IOException {
    requireFile(file);
    List<JsonLine> out = new ArrayList<>();
    List<String> lines = DataFiles.readLines(file);
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).isBlank()) {
        out.add(new JsonLine(i + 1, DataFiles.readJsonLine(mapper, file, i + 1, lines.get(i))));
      }
    }
    return out;
  }

  private static void requireFile(Path file) throws NoSuchFileException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "training file not found");
    }
  }
}
