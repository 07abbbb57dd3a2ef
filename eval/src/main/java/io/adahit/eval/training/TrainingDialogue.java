package io.adahit.eval.training;

import io.adahit.agents.dialogue.DialogueHistory;
import io.adahit.agents.training.TrainingPair;
import java.util.ArrayList;
import java.util.List;

/**
 * One conversation from the responding speaker's side, as a teacher would yield it: the partner's
 * texts (the first one carrying persona lines or earlier history where the format has them) and the
 * replies to learn.
 *
 * @param source the file it came from, relative to the data folder
 * @param texts partner turns; {@code texts[i]} is answered by {@code replies[i]}
 * @param replies gold replies
 */
public record TrainingDialogue(String source, List<String> texts, List<String> replies) {

  public TrainingDialogue {
    texts = List.copyOf(texts);
    replies = List.copyOf(replies);
    if (texts.size() != replies.size()) {
      throw new IllegalArgumentException(
          source + ": " + texts.size() + " texts but " + replies.size() + " replies");
    }
  }

  /**
   * The (context, reply) pairs, with contexts built by a ParlAI {@link DialogueHistory} exactly as
   * the evaluation harness builds them (texts and gold replies joined by "\n").
   */
  public List<TrainingPair> pairs() {
    DialogueHistory h = DialogueHistory.unbounded();
    List<TrainingPair> out = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      h.observe(texts.get(i));
      out.add(new TrainingPair(h.context(), replies.get(i)));
      h.addReply(replies.get(i));
    }
    return out;
  }
}
