package io.adahit.eval.harness;

import io.adahit.agents.dialogue.DialogueHistory;
import io.adahit.eval.teachers.Episode;
import io.adahit.eval.teachers.Example;
import io.adahit.eval.teachers.Teacher;
import java.util.ArrayList;
import java.util.List;

/**
 * Replays a teacher's episodes through a {@link DialogueHistory} the way ParlAI's evaluation loop
 * does ({@code --use-reply label}): observe the text, encode the history as context, then append
 * the gold label as the agent's reply; reset after {@code episode_done}. Contexts depend only on
 * the data, so they are built up front.
 */
public final class ContextBuilder {

  private ContextBuilder() {}

  /**
   * @param limit at most this many examples, in episode order; negative for all
   */
  public static List<EvalExample> build(Teacher teacher, int limit) {
    List<EvalExample> out = new ArrayList<>();
    DialogueHistory history = DialogueHistory.unbounded();
    for (Episode ep : teacher.episodes()) {
      history.reset();
      for (int i = 0; i < ep.size(); i++) {
        if (limit >= 0 && out.size() >= limit) {
          return out;
        }
        Example ex = ep.examples().get(i);
        history.observe(ex.text());
        out.add(new EvalExample(ep.exampleName(teacher, i), ep.index(), ex, history.context()));
        history.addReply(ex.evalLabels().get(0));
      }
    }
    return out;
  }
}
