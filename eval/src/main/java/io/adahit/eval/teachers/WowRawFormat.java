package io.adahit.eval.teachers;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Wizard of Wikipedia's raw JSON ({@code valid_random_split.json} layout) as ParlAI's default
 * {@code WizardDialogKnowledgeTeacher} does with {@code --label-type response}, {@code
 * --include-knowledge true}, {@code --include-checked-sentence true}, {@code --add-missing-turns
 * none}:
 *
 * <ul>
 *   <li>One example per wizard turn that has an apprentice turn before it; if the wizard speaks
 *       first, the first example has the chosen topic alone as text and, as in ParlAI, the episode
 *       has {@code (turns - 1) / 2} examples (the last wizard turn of an odd-length wizard-first
 *       dialogue is dropped).
 *   <li>Text: the chosen topic, "\n", then the apprentice's message for the first example of an
 *       apprentice-first dialogue; the apprentice's message alone afterwards.
 *   <li>Candidates: the wizard turn's {@code candidate_responses}, when present and non-empty.
 *   <li>Fields: {@code chosen_topic}, {@code knowledge} (one "title sentence" per line), {@code
 *       title}, {@code checked_sentence}.
 * </ul>
 */
final class WowRawFormat {

  static final String NO_CHOSEN = "no_passages_used";

  private WowRawFormat() {}

  static List<List<Draft>> read(Path file, JsonNode root) throws IOException {
    if (!root.isArray()) {
      throw new IOException(file + ": WoW raw data must be a JSON array of dialogues");
    }
    List<List<Draft>> episodes = new ArrayList<>();
    for (JsonNode d : root) {
      JsonNode dialog = d.path("dialog");
      List<Draft> ep = new ArrayList<>();
      if (dialog.size() > 0) {
        boolean wizardFirst = dialog.get(0).path("speaker").asText().contains("Wizard");
        int len = wizardFirst ? (dialog.size() - 1) / 2 : dialog.size() / 2;
        for (int entry = 0; entry < len; entry++) {
          ep.add(example(d, dialog, wizardFirst, entry));
        }
      }
      episodes.add(ep);
    }
    return episodes;
  }

  private static Draft example(JsonNode d, JsonNode dialog, boolean wizardFirst, int entry) {
    int idx = wizardFirst ? entry * 2 : entry * 2 + 1;
    JsonNode apprentice = idx >= 1 ? dialog.get(idx - 1) : null;
    JsonNode wizardPrev = idx >= 2 ? dialog.get(idx - 2) : null;
    String topic = DataFiles.text(d, "chosen_topic", "");

    Map<String, List<String>> knowledge = new LinkedHashMap<>();
    knowledge.put(topic, DataFiles.texts(d.get("chosen_topic_passage")));
    for (JsonNode turn : new JsonNode[] {apprentice, wizardPrev}) {
      if (turn == null) {
        continue;
      }
      for (JsonNode passage : turn.path("retrieved_passages")) {
        for (Map.Entry<String, JsonNode> e : passage.properties()) {
          knowledge.putIfAbsent(e.getKey(), DataFiles.texts(e.getValue()));
        }
      }
    }

    String text;
    if (idx == 0) {
      text = topic;
    } else if (idx == 1) {
      text = topic + "\n" + apprentice.path("text").asText();
    } else {
      text = apprentice.path("text").asText();
    }
    JsonNode wizard = dialog.get(idx);

    StringBuilder knowledgeText = new StringBuilder();
    knowledge.forEach(
        (title, sentences) ->
            sentences.forEach(s -> knowledgeText.append(title).append(' ').append(s).append('\n')));
    String[] chosen = chosenTitleAndSentence(wizard, knowledge);
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("chosen_topic", topic);
    fields.put("knowledge", knowledgeText.toString());
    fields.put("title", chosen[0]);
    fields.put("checked_sentence", chosen[1]);

    List<String> cands = DataFiles.texts(wizard.get("candidate_responses"));
    return new Draft(
        text, List.of(wizard.path("text").asText()), cands.isEmpty() ? null : cands, fields);
  }

  /** ParlAI's {@code _get_chosen_title_and_sent}: the checked passage's title and sentence. */
  private static String[] chosenTitleAndSentence(
      JsonNode wizard, Map<String, List<String>> knowledge) {
    JsonNode sentenceDict = wizard.get("checked_sentence");
    if (sentenceDict == null || !sentenceDict.isObject() || sentenceDict.size() == 0) {
      return new String[] {NO_CHOSEN, NO_CHOSEN};
    }
    Map.Entry<String, JsonNode> first = sentenceDict.properties().iterator().next();
    String sentence = first.getValue().asText();
    if (sentence.equals(NO_CHOSEN)) {
      return new String[] {NO_CHOSEN, NO_CHOSEN};
    }
    String title1 = "";
    JsonNode titleDict = wizard.get("checked_passage");
    if (titleDict != null && titleDict.isObject() && titleDict.size() > 0) {
      title1 = titleDict.properties().iterator().next().getValue().asText();
    }
    // e.g. "partner_Pharmacy_technician_3" -> "Pharmacy technician"
    String[] parts = first.getKey().split("_", -1);
    String title2 =
        parts.length <= 2 ? "" : String.join(" ", List.of(parts).subList(1, parts.length - 1));
    if (!title1.isEmpty() && contains(knowledge.get(title1), sentence)) {
      return new String[] {title1, sentence};
    }
    if (contains(knowledge.get(title2), sentence)) {
      return new String[] {title2, sentence};
    }
    for (Map.Entry<String, List<String>> e : knowledge.entrySet()) {
      if (e.getValue().contains(sentence)) {
        return new String[] {e.getKey(), sentence};
      }
    }
    return new String[] {"", sentence};
  }

  private static boolean contains(List<String> sentences, String sentence) {
    return sentences != null && sentences.contains(sentence);
  }
}
