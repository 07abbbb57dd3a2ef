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
 * ParlAI's default {@code wizard_of_wikipedia} teacher ({@code WizardDialogKnowledgeTeacher},
 * random split, labels = the wizard's responses). K = 100.
 *
 * <p><b>Text.</b> ParlAI's teacher does not put the dialogue history in {@code text}: each example
 * carries the apprentice's last message only (the first one prefixed by the chosen topic and "\n";
 * in a wizard-first dialogue the first example is the topic alone); the agent accumulates the
 * history, its own previous replies being the previous labels.
 *
 * <p><b>Layouts</b> (detected from the file):
 *
 * <ul>
 *   <li>FSB ({@code wow/fsb_wow_{valid,test}_random_split.json}, the default): a JSON array of
 *       {@code {"meta": [[checked sentence] or [] per pair], "dialogue": [[apprentice, wizard],
 *       ...]}}; one example per pair. No topic, knowledge or candidates.
 *   <li>ParlAI's raw layout ({@code {wow,wizard_of_wikipedia}/{valid,test}_random_split.json}, used
 *       when present): see {@link WowRawFormat}; its {@code candidate_responses} are used.
 * </ul>
 *
 * <pre>{@code
 * Teacher t = WizardOfWikipediaTeacher.load(TeacherOptions.of(datapath, Datatype.TEST));
 * t.numExamples();   // 3865
 * }</pre>
 */
public final class WizardOfWikipediaTeacher extends FixedTeacher {

  public static final String TASK = "wizard_of_wikipedia";
  static final String ID = "wizard_of_wikipedia:wizard_dialog_knowledge";
  static final int DEFAULT_K = 100;

  private WizardOfWikipediaTeacher(
      TeacherOptions options, Path file, List<List<Draft>> drafts, List<String> differences) {
    super(TASK, ID, options, file, drafts, OptionalInt.of(DEFAULT_K), differences);
  }

  public static WizardOfWikipediaTeacher load(TeacherOptions options) throws IOException {
    String dt = options.datatype().parlaiName();
    Path file =
        options.require(
            TASK,
            "wow/" + dt + "_random_split.json",
            "wizard_of_wikipedia/" + dt + "_random_split.json",
            "wow/fsb_wow_" + dt + "_random_split.json");
    JsonNode root = DataFiles.readJson(new ObjectMapper(), file);
    if (!root.isArray() || root.isEmpty()) {
      throw new IOException(file + ": WoW data must be a non-empty JSON array of dialogues");
    }
    JsonNode first = root.get(0);
    List<List<Draft>> drafts;
    List<String> differences = new ArrayList<>();
    if (first.has("dialog")) {
      drafts = WowRawFormat.read(file, root);
    } else if (first.has("dialogue")) {
      drafts = readFsb(file, root);
      differences.add(
          "FSB layout has no chosen_topic: the first example of an episode lacks ParlAI's"
              + " '<topic>\\n' line");
      differences.add(
          "FSB layout drops the wizard's opening turn of wizard-first dialogues: ParlAI's first"
              + " example of such an episode (text = the topic alone, label = the wizard's opening"
              + " message) is missing and the agent's history lacks that message; instead FSB"
              + " keeps the last apprentice/wizard pair that ParlAI drops (--add-missing-turns"
              + " none), so example counts are equal but those episodes' examples differ");
      differences.add(
          "FSB layout has no knowledge passages or title: only checked_sentence is set (ParlAI:"
              + " knowledge, title, checked_sentence)");
    } else {
      throw new IOException(
          file
              + ": unknown WoW layout: the first dialogue has neither 'dialog' (ParlAI raw) nor"
              + " 'dialogue' (FSB), found fields "
              + fieldNames(first));
    }
    boolean allHaveCands =
        drafts.stream().flatMap(List::stream).allMatch(d -> d.candidates() != null);
    if (!allHaveCands) {
      differences.add(
          "no candidate_responses in the data (ParlAI ships 100 per wizard turn): gold + K-1"
              + " negatives sampled from other episodes' wizard replies");
    }
    return new WizardOfWikipediaTeacher(options, file, drafts, differences);
  }

  private static List<List<Draft>> readFsb(Path file, JsonNode root) throws IOException {
    List<List<Draft>> episodes = new ArrayList<>();
    for (int e = 0; e < root.size(); e++) {
      JsonNode ep = root.get(e);
      JsonNode dialogue = ep.path("dialogue");
      JsonNode meta = ep.path("meta");
      List<Draft> drafts = new ArrayList<>();
      for (int i = 0; i < dialogue.size(); i++) {
        JsonNode pair = dialogue.get(i);
        if (pair.size() != 2) {
          throw new IOException(
              file
                  + ": episode "
                  + e
                  + " pair "
                  + i
                  + " must be [apprentice, wizard], found "
                  + pair.size()
                  + " elements");
        }
        JsonNode knowledge = meta.path(i);
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(
            "checked_sentence",
            knowledge.size() > 0 ? knowledge.get(0).asText() : WowRawFormat.NO_CHOSEN);
        drafts.add(new Draft(pair.get(0).asText(), List.of(pair.get(1).asText()), fields));
      }
      episodes.add(drafts);
    }
    return episodes;
  }

  private static List<String> fieldNames(JsonNode node) {
    return node.properties().stream().map(Map.Entry::getKey).toList();
  }
}
