package io.adahit.eval.teachers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * ParlAI's default {@code blended_skill_talk} teacher: the free worker's messages are the text, the
 * guided worker's replies the labels. The first example of an episode is {@code your persona:
 * <guided[0]>\nyour persona: <guided[1]>\n[<WoW topic>\n]<seed utterance 1>\n<seed utterance
 * 2>\n<free message 1>}; later ones are the free message alone. A trailing free message with no
 * reply yields no example. K = 100.
 *
 * <p>Layouts (detected from the file):
 *
 * <ul>
 *   <li>KnowEE ({@code bst/{valid,test}_dialogues.json}, the default): {@code {"dialogue": [seed1,
 *       seed2, free1, guided1, ...], "speaker persona": [...], "listener persona": [...]}}; the
 *       listener is the guided worker. Fields: {@code free_message}, {@code your_persona}, {@code
 *       partner_persona} (persona lines joined by "\n"; not ParlAI fields).
 *   <li>ParlAI's own {@code {valid,test}.json} ({@code bst/} or {@code blended_skill_talk/}, used
 *       when present): built as ParlAI's {@code build.py} writes its {@code .txt} and {@code
 *       ParlAIDialogTeacher} reads it back, including the topic line, the {@code label_candidates}
 *       and the fields {@code context_dataset}, {@code free_message}, {@code convai2}, {@code
 *       empathetic_dialogues}, {@code wizard_of_wikipedia}, {@code guided_chosen_suggestion}; the
 *       escape round trip and the space ParlAI's build appends to each line's last field (usually
 *       the last candidate) are reproduced.
 * </ul>
 *
 * <pre>{@code
 * Teacher t = BlendedSkillTalkTeacher.load(TeacherOptions.of(datapath, Datatype.VALID));
 * t.numExamples();   // 5651
 * }</pre>
 */
public final class BlendedSkillTalkTeacher extends FixedTeacher {

  public static final String TASK = "blended_skill_talk";
  static final int DEFAULT_K = 100;
  private static final List<String> SKILLS =
      List.of("convai2", "empathetic_dialogues", "wizard_of_wikipedia");

  private BlendedSkillTalkTeacher(
      TeacherOptions options, Path file, List<List<Draft>> drafts, List<String> differences) {
    super(TASK, TASK, options, file, drafts, OptionalInt.of(DEFAULT_K), differences);
  }

  public static BlendedSkillTalkTeacher load(TeacherOptions options) throws IOException {
    String dt = options.datatype().parlaiName();
    Path file =
        options.require(
            TASK,
            "bst/" + dt + ".json",
            "blended_skill_talk/" + dt + ".json",
            "bst/" + dt + "_dialogues.json");
    JsonNode root = DataFiles.readJson(new ObjectMapper(), file);
    if (!root.isArray() || root.isEmpty()) {
      throw new IOException(file + ": BST data must be a non-empty JSON array of episodes");
    }
    List<String> differences = new ArrayList<>();
    List<List<Draft>> drafts = new ArrayList<>();
    JsonNode first = root.get(0);
    if (first.has("dialog") && first.has("personas")) {
      for (JsonNode ep : root) {
        drafts.add(readParlai(ep));
      }
    } else if (first.has("dialogue") && first.has("listener persona")) {
      for (int e = 0; e < root.size(); e++) {
        drafts.add(readKnowee(file, e, root.get(e)));
      }
      differences.add(
          "KnowEE layout has no context_dataset / WoW topic: ParlAI adds the topic line after the"
              + " persona lines in the first example of WoW-context episodes (~1/3 of episodes,"
              + " ~6% of examples)");
      differences.add(
          "KnowEE layout has no suggestions: the fields context_dataset, convai2,"
              + " empathetic_dialogues, wizard_of_wikipedia and guided_chosen_suggestion are"
              + " absent");
    } else {
      throw new IOException(
          file
              + ": unknown BST layout: the first episode has neither 'dialog' + 'personas'"
              + " (ParlAI) nor 'dialogue' + 'listener persona' (KnowEE)");
    }
    boolean allHaveCands =
        drafts.stream().flatMap(List::stream).allMatch(d -> d.candidates() != null);
    if (!allHaveCands) {
      differences.add(
          "no label_candidates in the data (ParlAI ships 100 per example): gold + K-1 negatives"
              + " sampled from other episodes' guided replies");
    }
    return new BlendedSkillTalkTeacher(options, file, drafts, differences);
  }

  private static List<Draft> readKnowee(Path file, int e, JsonNode ep) throws IOException {
    List<String> d = DataFiles.texts(ep.get("dialogue"));
    List<String> listener = DataFiles.texts(ep.get("listener persona"));
    List<String> speaker = DataFiles.texts(ep.get("speaker persona"));
    if (listener.size() < 2 || d.size() < 2) {
      throw new IOException(
          file
              + ": episode "
              + e
              + " must have 2 listener persona lines and 2 seed utterances,"
              + " found "
              + listener.size()
              + " and "
              + d.size());
    }
    String context =
        "your persona: "
            + listener.get(0)
            + "\nyour persona: "
            + listener.get(1)
            + "\n"
            + d.get(0)
            + "\n"
            + d.get(1)
            + "\n";
    List<Draft> drafts = new ArrayList<>();
    for (int i = 0; 3 + 2 * i < d.size(); i++) {
      String free = d.get(2 + 2 * i);
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put("free_message", free);
      fields.put("your_persona", String.join("\n", listener));
      fields.put("partner_persona", String.join("\n", speaker));
      drafts.add(new Draft((i == 0 ? context : "") + free, List.of(d.get(3 + 2 * i)), fields));
    }
    return drafts;
  }

  /** One episode of ParlAI's raw json, as {@code build.py _get_line} + {@code str_to_msg}. */
  private static List<Draft> readParlai(JsonNode ep) {
    JsonNode dialog = ep.path("dialog");
    int n = dialog.size() / 2;
    List<Draft> drafts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String context = "";
      if (i == 0) {
        JsonNode guided = ep.path("personas").path(1);
        List<String> pieces = new ArrayList<>();
        pieces.add("your persona: " + guided.path(0).asText());
        pieces.add("your persona: " + guided.path(1).asText());
        if ("wizard_of_wikipedia".equals(DataFiles.text(ep, "context_dataset", ""))) {
          pieces.add(DataFiles.text(ep, "additional_context", ""));
        }
        pieces.add(DataFiles.text(ep, "free_turker_utterance", ""));
        pieces.add(DataFiles.text(ep, "guided_turker_utterance", ""));
        context = String.join("\n", pieces) + "\n";
      }
      String free = dialog.path(2 * i).path(1).asText();
      String guidedMessage = dialog.path(2 * i + 1).path(1).asText();
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put("context_dataset", roundTrip(DataFiles.text(ep, "context_dataset", "")));
      fields.put("free_message", roundTrip(free));
      JsonNode suggestions = ep.path("suggestions").path(2 * i + 1);
      for (String skill : SKILLS) {
        fields.put(skill, roundTrip(DataFiles.text(suggestions, skill, "")));
      }
      fields.put(
          "guided_chosen_suggestion",
          roundTrip(ep.path("chosen_suggestions").path(2 * i + 1).asText("")));
      boolean done = i == n - 1;
      JsonNode candNode = ep.path("label_candidates").path(i);
      List<String> cands = null;
      if (ep.has("label_candidates")) {
        cands = new ArrayList<>();
        for (JsonNode c : candNode) {
          cands.add(roundTrip(c.asText()));
        }
        // build.py writes f'{line} \n': the line's last field, here the last candidate, keeps it.
        if (!cands.isEmpty()) {
          cands.set(cands.size() - 1, cands.get(cands.size() - 1) + " ");
        }
      } else if (!done) {
        fields.put("guided_chosen_suggestion", fields.get("guided_chosen_suggestion") + " ");
      }
      drafts.add(
          new Draft(roundTrip(context + free), List.of(roundTrip(guidedMessage)), cands, fields));
    }
    return drafts;
  }

  /**
   * ParlAI's {@code _escape} then {@code str_to_msg}'s {@code tostr}: the identity except that a
   * literal backslash-t / backslash-n / {@code __PIPE__} in the data decodes to tab / newline /
   * '|'.
   */
  static String roundTrip(String s) {
    String escaped = s.replace("\t", "\\t").replace("\n", "\\n").replace("|", "__PIPE__");
    return escaped.replace("\\t", "\t").replace("\\n", "\n").replace("__PIPE__", "|");
  }
}
