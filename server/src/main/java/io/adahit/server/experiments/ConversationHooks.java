package io.adahit.server.experiments;

import io.adahit.server.events.EventStore;
import io.adahit.server.skills.Skill;
import io.adahit.server.skills.SkillCatalog;
import io.adahit.server.skills.SkillLeases;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What the chat service asks about a conversation's life beyond history and replies: its A/B
 * assignment when it opens, the Skill object each turn runs on (leased, so an adapter can be
 * replaced while the turn runs), and where turns, episodes and feedback are recorded. {@link
 * ExperimentService} implements it; {@link #plain} is the no-experiment default.
 *
 * <pre>{@code
 * Assignment a = hooks.assign(id, "convai2");             // null: in no experiment
 * try (SkillLeases.Lease l = hooks.lease("convai2", a)) { scheduler.submit(new TurnRequest(l.skill(), ...)); }
 * }</pre>
 */
public interface ConversationHooks {

  /**
   * The assignment of a new conversation on {@code skill}, or null when no experiment runs on it.
   */
  Assignment assign(String conversationId, String skill);

  /**
   * Durably records an assignment before the conversation is answered as part of its experiment.
   *
   * @return completes (never exceptionally) with true once the assignment is on record (or there is
   *     no event store to record it in), false if it could not be stored: the conversation is then
   *     served outside the experiment
   */
  CompletableFuture<Boolean> opened(String conversationId, Assignment assignment, String transport);

  /**
   * The Skill object a turn of a conversation on {@code skill} runs on; close the lease once it is
   * answered.
   */
  SkillLeases.Lease lease(String skill, Assignment assignment);

  /** A turn was answered {@code nanos} after it was received. */
  void answered(Assignment assignment, long nanos);

  /** An episode of {@code turns} exchanges ended. */
  void episodeEnded(
      String conversationId, String skill, Assignment assignment, int episode, int turns);

  /**
   * Stores a client's feedback with the conversation's variant.
   *
   * @return completes with the receipt once committed; exceptionally with {@link
   *     EventStore.EventStoreException} when it cannot be stored
   */
  CompletableFuture<Feedback.Receipt> feedback(
      String conversationId, String skill, Assignment assignment, int episode, Feedback feedback);

  /**
   * The stored assignment of a conversation that is no longer open (feedback after the end), if
   * any.
   */
  CompletableFuture<Optional<Assignment>> storedAssignment(String conversationId);

  /**
   * No experiments, no event store, no leases: each turn runs on the skill served under its name
   * now.
   */
  static ConversationHooks plain(SkillCatalog skills) {
    return new ConversationHooks() {
      @Override
      public Assignment assign(String conversationId, String skill) {
        return null;
      }

      @Override
      public CompletableFuture<Boolean> opened(
          String conversationId, Assignment assignment, String transport) {
        return CompletableFuture.completedFuture(true);
      }

      @Override
      public SkillLeases.Lease lease(String skill, Assignment assignment) {
        Skill s = skills.get(skill);
        return new SkillLeases.Lease() {
          @Override
          public Skill skill() {
            return s;
          }

          @Override
          public void close() {}
        };
      }

      @Override
      public void answered(Assignment assignment, long nanos) {}

      @Override
      public void episodeEnded(
          String conversationId, String skill, Assignment assignment, int episode, int turns) {}

      @Override
      public CompletableFuture<Feedback.Receipt> feedback(
          String conversationId,
          String skill,
          Assignment assignment,
          int episode,
          Feedback feedback) {
        return CompletableFuture.failedFuture(
            new EventStore.EventStoreException(
                "feedback is not stored: this server has no event store (set events.url)"));
      }

      @Override
      public CompletableFuture<Optional<Assignment>> storedAssignment(String conversationId) {
        return CompletableFuture.completedFuture(Optional.empty());
      }
    };
  }
}
