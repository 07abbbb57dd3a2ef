package io.adahit.agents.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.agents.backbone.SharedData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Small slices of real training pairs (ConvAI2 training data: FSB's persona sample). */
final class TrainingData {

  private TrainingData() {}

  /**
   * {@code n} pairs from convai2/fsb_persona_1000.json, skipping the first {@code skip}: context =
   * the partner's utterance, reply = the persona speaker's answer.
   */
  static List<TrainingPair> pairs(int skip, int n) {
    try {
      JsonNode root =
          new ObjectMapper()
              .readTree(SharedData.dir().resolve("convai2/fsb_persona_1000.json").toFile());
      List<TrainingPair> out = new ArrayList<>();
      int seen = 0;
      for (JsonNode ep : root) {
        for (JsonNode turn : ep.path("dialogue")) {
          if (seen++ >= skip && out.size() < n) {
            out.add(new TrainingPair(turn.get(0).asText(), turn.get(1).asText()));
          }
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
