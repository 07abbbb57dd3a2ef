package io.adahit.agents.dialogue;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A conversation's history with ParlAI's semantics ({@code parlai/core/torch_agent.py}, {@code
 * History}): the partner's turns and the agent's own replies, joined with a delimiter ("\n" by
 * default) into the context the ranker encodes; at most {@code size} turns are kept (-1 = all); the
 * history is cleared after an episode ends.
 *
 * <p>In evaluation ParlAI appends the gold label as the agent's reply ({@code --use-reply label});
 * in a live chat the agent's actual reply goes in. Not thread-safe: one per conversation.
 *
 * <pre>{@code
 * DialogueHistory h = new DialogueHistory(-1, "\n");
 * h.observe("your persona: i like to ski.\nhi!");
 * String context = h.context();        // what the ranker encodes
 * h.addReply("hello! do you ski?");
 * }</pre>
 */
public final class DialogueHistory {

  private final int size;
  private final String delimiter;
  private final Deque<String> turns = new ArrayDeque<>();

  /**
   * @param size turns kept, -1 for all
   * @param delimiter what joins turns
   */
  public DialogueHistory(int size, String delimiter) {
    if (size == 0 || size < -1) {
      throw new IllegalArgumentException("history: size must be -1 (all) or >= 1, found " + size);
    }
    this.size = size;
    this.delimiter = delimiter;
  }

  /** ParlAI's defaults: all turns, joined by "\n". */
  public static DialogueHistory unbounded() {
    return new DialogueHistory(-1, "\n");
  }

  /** Adds the partner's turn (a teacher's or user's text). */
  public void observe(String text) {
    add(text);
  }

  /** Adds the agent's own reply. */
  public void addReply(String reply) {
    add(reply);
  }

  private void add(String turn) {
    if (turn == null) {
      throw new IllegalArgumentException("history: a turn must not be null");
    }
    turns.addLast(turn);
    while (size > 0 && turns.size() > size) {
      turns.removeFirst();
    }
  }

  /** The turns joined by the delimiter. */
  public String context() {
    return String.join(delimiter, turns);
  }

  /** Number of turns held. */
  public int turns() {
    return turns.size();
  }

  /** Forgets everything, as at the end of an episode or on "[RESET]". */
  public void reset() {
    turns.clear();
  }
}
