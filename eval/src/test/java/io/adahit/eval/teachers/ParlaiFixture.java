package io.adahit.eval.teachers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One of ParlAI's teacher regression fixtures ({@code parlai/tasks/<task>/test/*.yml}, copied to
 * shared/data as {@code parlai_fixture_*.yml}): the first acts the teacher yields and its counts.
 */
record ParlaiFixture(List<JsonNode> acts, int numEpisodes, int numExamples) {

  static ParlaiFixture load(String relative) throws IOException {
    Path file = SharedData.dir().resolve(relative);
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    List<JsonNode> acts = new ArrayList<>();
    // Each entry of "acts" is the list of messages of one parley; the teacher's is the first.
    root.get("acts").forEach(parley -> acts.add(parley.get(0)));
    return new ParlaiFixture(
        acts, root.get("num_episodes").asInt(), root.get("num_examples").asInt());
  }

  static String text(JsonNode act) {
    return act.get("text").asText();
  }

  static List<String> list(JsonNode act, String field) {
    List<String> out = new ArrayList<>();
    act.path(field).forEach(n -> out.add(n.asText()));
    return out;
  }

  static List<String> labels(JsonNode act) {
    return list(act, act.has("eval_labels") ? "eval_labels" : "labels");
  }

  static boolean episodeDone(JsonNode act) {
    return act.get("episode_done").asBoolean();
  }
}
