package io.adahit.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.adahit.agents.adapters.UnknownSkillException;
import io.adahit.server.chat.BadRequestException;
import io.adahit.server.chat.TooManyConversationsException;
import io.adahit.server.chat.UnknownConversationException;
import io.adahit.server.events.EventStore;
import io.adahit.server.inference.OverloadedException;
import io.adahit.server.inference.ShuttingDownException;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The WebSocket's {@code error} tags come from the shared classification. */
class ChatSessionErrorsTest {

  @Test
  void tagsNameTheMistake() {
    assertThat(ChatSession.kind(new BadRequestException("too_long", "x"))).isEqualTo("too_long");
    assertThat(ChatSession.kind(new UnknownSkillException("x", List.of())))
        .isEqualTo("unknown_skill");
    assertThat(ChatSession.kind(new OverloadedException(3))).isEqualTo("overloaded");
    assertThat(ChatSession.kind(new TooManyConversationsException(3)))
        .isEqualTo("too_many_conversations");
    assertThat(ChatSession.kind(new CompletionException(new ShuttingDownException())))
        .isEqualTo("shutting_down");
    assertThat(ChatSession.kind(new EventStore.EventStoreException("locked")))
        .isEqualTo("feedback_not_stored");
    // both were "internal" before: a client mistake reported as the server's bug
    assertThat(ChatSession.kind(new UnknownConversationException("c1")))
        .isEqualTo("unknown_conversation");
    assertThat(ChatSession.kind(new IllegalArgumentException("feedback \"turn\" must be 1..1000")))
        .isEqualTo("invalid");
  }

  @Test
  void bugsAreInternal() {
    assertThat(ChatSession.kind(new IllegalStateException("x"))).isEqualTo("internal");
    assertThat(ChatSession.kind(new CompletionException(new NullPointerException())))
        .isEqualTo("internal");
  }
}
