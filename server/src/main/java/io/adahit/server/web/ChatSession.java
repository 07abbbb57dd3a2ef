package io.adahit.server.web;

import io.adahit.agents.adapters.UnknownSkillException;
import io.adahit.agents.errors.ErrorKind;
import io.adahit.server.chat.BadRequestException;
import io.adahit.server.chat.ChatService;
import io.adahit.server.chat.Conversation;
import io.adahit.server.events.EventStore;
import io.adahit.server.experiments.Feedback;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket client's walk through ParlAI's chat service ({@code parlai/chat_service}): the
 * first message opens the overworld (its text is ignored) and gets a welcome with quick replies;
 * "begin" (any case), or a skill's name, enters the chat task; "exit" leaves; in the task "[DONE]"
 * ends the episode and returns to the overworld, "[RESET]" clears the history and answers "[History
 * Cleared]", and any other text is a turn for the bot.
 *
 * <p>Every client message gets exactly one reply, in order (ParlAI's browser client waits for one
 * reply per message). The skill comes from the message payload ({@code {"skill": "bst"}}), the
 * welcome's quick replies, the {@code ?skill=} query parameter, or the default, in that order, and
 * is fixed once the task starts. Not thread-safe: the channel's event loop calls it.
 */
final class ChatSession {

  private static final Logger LOG = LoggerFactory.getLogger(ChatSession.class);

  /**
   * What the client sent: its {@code text} (null if absent), the skill named in its payload, and
   * feedback ({@code {"feedback": {...}}}, null if none).
   */
  record Inbound(String text, String payloadSkill, Feedback feedback) {
    Inbound(String text, String payloadSkill) {
      this(text, payloadSkill, null);
    }
  }

  /** What goes back: ParlAI's {@code {"text", "quick_replies"}} plus our {@code payload}. */
  record Outbound(String text, List<String> quickReplies, Map<String, Object> payload) {}

  private enum State {
    NEW,
    OVERWORLD,
    TASK
  }

  private final ChatService chat;
  private final Runnable onExpired;
  private State state = State.NEW;
  private String chosenSkill;
  private Conversation conversation;

  /** The chat that "[DONE]" ended last: feedback sent after the end rates it. */
  private Conversation lastConversation;

  /**
   * @param querySkill the {@code ?skill=} of the connection URL, or null
   */
  ChatSession(ChatService chat, String querySkill) {
    this(chat, querySkill, () -> {});
  }

  /**
   * @param onExpired what the connection does when a chat is closed for being idle ({@code
   *     conversations.idleTimeoutSeconds}); runs on the housekeeping thread
   */
  ChatSession(ChatService chat, String querySkill, Runnable onExpired) {
    this.chat = chat;
    this.chosenSkill = querySkill;
    this.onExpired = onExpired;
  }

  /** Handles one message; the future completes with its reply (never exceptionally). */
  CompletableFuture<Outbound> onMessage(Inbound in) {
    try {
      if (in.feedback() != null) {
        return feedback(in.feedback());
      }
      if (in.payloadSkill() != null && state != State.TASK) {
        checkSkill(in.payloadSkill());
        chosenSkill = in.payloadSkill();
      }
      return switch (state) {
        case NEW -> CompletableFuture.completedFuture(enterOverworld());
        case OVERWORLD -> afterStart(overworld(requireText(in)));
        case TASK -> task(requireText(in));
      };
    } catch (RuntimeException e) {
      if (state == State.NEW) {
        state = State.OVERWORLD;
        Outbound welcome = welcome();
        if (ErrorKind.of(e) == ErrorKind.INTERNAL) {
          LOG.error("chat message failed", e);
        }
        return CompletableFuture.completedFuture(
            new Outbound(
                "Error: " + ErrorKind.clientMessage(e) + "\n" + welcome.text(),
                welcome.quickReplies(),
                Map.of("error", kind(e))));
      }
      return CompletableFuture.completedFuture(error(e));
    }
  }

  /**
   * A chat that just started is answered once its A/B assignment is stored, naming the experiment
   * and variant only then (a chat whose assignment could not be stored is served outside it).
   */
  private CompletableFuture<Outbound> afterStart(Outbound welcome) {
    if (state != State.TASK || conversation == null) {
      return CompletableFuture.completedFuture(welcome);
    }
    Conversation c = conversation;
    return chat.started(c)
        .handle(
            (v, e) -> {
              Map<String, Object> payload = new LinkedHashMap<>(welcome.payload());
              putAssignment(payload, c);
              return new Outbound(welcome.text(), welcome.quickReplies(), payload);
            });
  }

  /**
   * Stores feedback on the current chat, or on the one just ended; answered once it is committed.
   */
  private CompletableFuture<Outbound> feedback(Feedback f) {
    Conversation c = conversation != null ? conversation : lastConversation;
    if (c == null) {
      throw new BadRequestException(
          "bad_feedback",
          "there is no chat to rate yet: send feedback during a chat or" + " right after [DONE]");
    }
    return chat.feedback(c, f)
        .handle(
            (receipt, e) -> {
              if (e != null) {
                return error(e);
              }
              Map<String, Object> payload = new LinkedHashMap<>();
              payload.put("feedback", "recorded");
              payload.put("feedback_id", receipt.id());
              payload.put("conversation_id", c.id());
              putAssignment(payload, c);
              return new Outbound(
                  "Thanks for the feedback.",
                  state == State.OVERWORLD ? List.of("begin", "exit") : null,
                  payload);
            });
  }

  /** The conversation's experiment and variant, when it is in an experiment. */
  private static void putAssignment(Map<String, Object> payload, Conversation c) {
    if (c.assignment() != null) {
      payload.put("experiment", c.assignment().experiment());
      payload.put("variant", c.assignment().variant());
    }
  }

  /** The socket closed: the open conversation (if any) is closed and its episode logged. */
  void onClose() {
    if (conversation != null) {
      chat.endConversation(conversation);
      conversation = null;
    }
  }

  private static String requireText(Inbound in) {
    if (in.text() == null) {
      throw new BadRequestException(
          "missing_text", "message has no \"text\" field; send {\"text\": \"...\"}");
    }
    return in.text();
  }

  private void checkSkill(String skill) {
    if (!chat.skills().contains(skill)) {
      throw new UnknownSkillException(skill, chat.skills().names());
    }
  }

  private Outbound enterOverworld() {
    if (chosenSkill != null && !chat.skills().contains(chosenSkill)) {
      String bad = chosenSkill;
      chosenSkill = null;
      throw new UnknownSkillException(bad, chat.skills().names());
    }
    state = State.OVERWORLD;
    return welcome();
  }

  private Outbound welcome() {
    List<String> quick = new ArrayList<>();
    quick.add("begin");
    quick.addAll(chat.skills().names());
    quick.add("exit");
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("skills", chat.skills().names());
    payload.put("skill_descriptions", chat.skills().descriptions());
    payload.put("skill", skill());
    return new Outbound(
        "Welcome to the overworld for the AdaHIT chat service. Please type \"begin\" to talk to skill "
            + describe(skill())
            + ", the name of another skill to talk to that one, or \"exit\" to exit.",
        quick,
        payload);
  }

  /**
   * Who answers on {@code skill}: {@code 'auto' (routes each turn to convai2, ... or
   * blended_skill_talk)}.
   */
  private String describe(String skill) {
    return chat.skills().contains(skill) ? chat.skills().get(skill).describe() : "'" + skill + "'";
  }

  private String skill() {
    return chosenSkill != null ? chosenSkill : chat.skills().defaultSkill();
  }

  private Outbound overworld(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.equals("exit")) {
      state = State.NEW;
      return new Outbound("Goodbye. Send any message to come back.", null, Map.of());
    }
    String skill = null;
    if (t.equals("begin")) {
      skill = skill();
    } else {
      for (String name : chat.skills().names()) {
        if (name.toLowerCase(Locale.ROOT).equals(t)) {
          skill = name;
        }
      }
    }
    if (skill == null) {
      return new Outbound("Invalid option. Please type \"begin\".", List.of("begin"), Map.of());
    }
    conversation = chat.open(skill, "websocket");
    conversation.onExpired(onExpired);
    chosenSkill = skill;
    state = State.TASK;
    StringBuilder b =
        new StringBuilder("Welcome to the AdaHIT chat. You are talking to skill ")
            .append(conversation.skill().describe())
            .append(
                " - feel free to send a message. Type [DONE] to finish the"
                    + " chat, or [RESET] to reset the dialogue history.");
    if (!conversation.persona().isEmpty()) {
      b.append("\nThe bot's persona:");
      conversation.persona().forEach(p -> b.append("\n- ").append(p));
    }
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("skill", skill);
    payload.put("persona", conversation.persona());
    payload.put("conversation_id", conversation.id());
    return new Outbound(b.toString(), null, payload);
  }

  private CompletableFuture<Outbound> task(String text) {
    Conversation c = conversation;
    if (text.contains("[DONE]")) {
      state = State.OVERWORLD;
      conversation = null;
      lastConversation = c;
      Map<String, Object> done = new LinkedHashMap<>();
      done.put("skill", c.skill().name());
      done.put("episode_done", true);
      done.put("conversation_id", c.id());
      putAssignment(done, c);
      return chat.endConversation(c)
          .thenApply(
              v ->
                  new Outbound(
                      "Chat ended. Type \"begin\" to start a new one, or \"exit\" to exit.",
                      List.of("begin", "exit"),
                      done));
    }
    if (text.contains("[RESET]")) {
      return chat.reset(c)
          .handle(
              (r, e) ->
                  e != null ? error(e) : new Outbound(r.text(), null, Map.of("skill", r.skill())));
    }
    return chat.turn(c, text, false)
        .handle(
            (r, e) -> {
              if (e != null) {
                return error(e);
              }
              Map<String, Object> payload = new LinkedHashMap<>();
              payload.put("skill", r.skill());
              putAssignment(payload, c);
              payload.putAll(r.routingPayload(c.skill().name()));
              payload.put(
                  "text_candidates",
                  r.textCandidates().subList(0, Math.min(5, r.textCandidates().size())));
              return new Outbound(r.text(), null, payload);
            });
  }

  private Outbound error(Throwable e) {
    Throwable cause = ErrorKind.unwrap(e);
    ErrorKind kind = ErrorKind.of(cause);
    if (kind == ErrorKind.INTERNAL) {
      LOG.error("chat turn failed", cause);
    }
    boolean feedbackLost = cause instanceof EventStore.EventStoreException;
    if (feedbackLost) {
      LOG.warn("feedback not stored: {}", cause.getMessage());
    }
    String message =
        feedbackLost
            ? "the feedback could not be stored (the server logged why); try again later"
            : ErrorKind.clientMessage(cause);
    List<String> quick = state == State.OVERWORLD ? List.of("begin", "exit") : null;
    return new Outbound("Error: " + message, quick, Map.of("error", kind(cause)));
  }

  /**
   * The {@code error} tag of a reply: the exception's own ({@link ErrorKind#tag}: {@code too_long},
   * {@code unknown_skill}, {@code overloaded}, {@code shutting_down}...) or its kind's ({@code
   * invalid}, {@code internal}...); a store failure on feedback is {@code feedback_not_stored}.
   */
  static String kind(Throwable e) {
    Throwable cause = ErrorKind.unwrap(e);
    return cause instanceof EventStore.EventStoreException
        ? "feedback_not_stored"
        : ErrorKind.tag(cause);
  }
}
