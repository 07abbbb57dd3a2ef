package io.adahit.server.chat;

import io.adahit.agents.routing.SkillRouter;
import io.adahit.server.experiments.Assignment;
import java.util.List;
import java.util.Map;

/**
 * What a shared conversation ({@code conversations.shared}) keeps in the database between turns, as
 * JSON: enough for any replica to continue it (skill, persona, variant, the current episode's
 * exchanges, from which the history is rebuilt) and to log its episode.
 *
 * @param assignment the A/B variant, or null
 * @param episodeStartMillis when the current episode began (epoch ms)
 * @param exchanges the current episode's exchanges, oldest first
 */
public record ConversationState(
    String skill,
    List<String> persona,
    String transport,
    Assignment assignment,
    int episode,
    long episodeStartMillis,
    List<StoredExchange> exchanges) {

  public ConversationState {
    persona = persona == null ? List.of() : List.copyOf(persona);
    exchanges = exchanges == null ? List.of() : List.copyOf(exchanges);
  }

  /**
   * One exchange: the user's text and the reply as the conversation log needs it.
   *
   * @param candidates the reply's top candidates (at most 5, what the log keeps)
   * @param routedTo on a router skill, the skill the router chose, else null
   * @param routing on a router skill, skill → probability, else null
   */
  public record StoredExchange(
      String user,
      String skill,
      String text,
      List<String> candidates,
      String routedTo,
      Map<String, Double> routing) {

    static StoredExchange of(Conversation.Exchange x) {
      Reply r = x.reply();
      List<String> c = r.textCandidates();
      return new StoredExchange(
          x.user(),
          r.skill(),
          r.text(),
          List.copyOf(c.subList(0, Math.min(5, c.size()))),
          r.routing() == null ? null : r.routing().skill(),
          r.routing() == null ? null : r.routing().probabilities());
    }

    Conversation.Exchange toExchange(String conversationId) {
      SkillRouter.Routing routed =
          routedTo == null ? null : new SkillRouter.Routing(routedTo, routing);
      return new Conversation.Exchange(
          user,
          new Reply(
              conversationId,
              skill,
              text,
              candidates == null ? List.of() : candidates,
              new float[0],
              false,
              routed));
    }
  }
}
