package io.adahit.server.chat;

import io.adahit.agents.errors.ClassifiedException;
import io.adahit.agents.errors.ErrorKind;

/**
 * A turn of a shared conversation ({@code conversations.shared}) lost a race: another replica saved
 * a turn of the same conversation between this turn's read and its write. This turn's reply is
 * discarded and its state not saved, so resending the turn is safe. gRPC: ABORTED; HTTP: 409.
 */
public final class ConversationConflictException extends ClassifiedException {
  private static final long serialVersionUID = 1L;

  public ConversationConflictException(String id, long expected) {
    super(
        ErrorKind.CONFLICT,
        "conversation_conflict",
        "conversation '"
            + id
            + "' was changed by another replica during this turn (it read version "
            + expected
            + "); the turn was not applied: resend it");
  }
}
