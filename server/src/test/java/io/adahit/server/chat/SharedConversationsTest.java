package io.adahit.server.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.server.events.EventDatabase;
import io.adahit.server.events.TestDatabases;
import io.adahit.server.experiments.Assignment;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shared conversation store on both databases: round trip, the version check, idle expiry by
 * one replica.
 */
@ExtendWith(TestDatabases.class)
class SharedConversationsTest {

  static ConversationState state(int exchanges) {
    List<ConversationState.StoredExchange> x = new java.util.ArrayList<>();
    for (int i = 0; i < exchanges; i++) {
      x.add(
          new ConversationState.StoredExchange(
              "user " + i,
              "base",
              "bot " + i,
              List.of("bot " + i, "other"),
              i == 0 ? "base" : null,
              i == 0 ? Map.of("base", 0.75, "ada", 0.25) : null));
    }
    return new ConversationState(
        "base",
        List.of("i like tea.", "i have a dog."),
        "grpc-act",
        new Assignment("ab", "b", "base"),
        2,
        1_700_000_000_000L,
        x);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void twoReplicasShareAConversationAndTheSlowerWriteOfARaceFails(
      String kind, TestDatabases.Factory dbs) throws Exception {
    EventDatabase db = dbs.database(kind);
    ObjectMapper json = new ObjectMapper();
    try (SharedConversations a =
            SharedConversations.open(db, "a", json, Clock.systemUTC(), new SimpleMeterRegistry());
        SharedConversations b =
            SharedConversations.open(db, "b", json, Clock.systemUTC(), new SimpleMeterRegistry())) {
      assertThat(a.load("c1").join()).isEmpty();
      assertThat(a.save("c1", 0, state(1)).join()).isEqualTo(1L);
      SharedConversations.Stored onB = b.load("c1").join().orElseThrow();
      assertThat(onB.version()).isEqualTo(1L);
      assertThat(onB.state()).isEqualTo(state(1));
      assertThat(b.save("c1", 1, state(2)).join()).isEqualTo(2L);
      // a still holds version 1: its write lost the race
      assertThatThrownBy(() -> a.save("c1", 1, state(2)).join())
          .isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(ConversationConflictException.class)
          .hasMessageContaining("resend")
          .satisfies(
              e ->
                  assertThat(io.adahit.server.grpc.GrpcErrors.toStatus(e).getStatus().getCode())
                      .as("gRPC")
                      .isEqualTo(io.grpc.Status.Code.ABORTED));
      assertThatThrownBy(() -> a.save("c1", 0, state(1)).join())
          .as("a new id taken by another replica")
          .hasCauseInstanceOf(ConversationConflictException.class);
      assertThat(a.load("c1").join().orElseThrow().state().exchanges()).hasSize(2);
      assertThat(a.delete("c1").join()).isTrue();
      assertThat(b.load("c1").join()).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void anIdleConversationExpiresOnceWhicheverReplicaSweeps(String kind, TestDatabases.Factory dbs)
      throws Exception {
    EventDatabase db = dbs.database(kind);
    ObjectMapper json = new ObjectMapper();
    Clock then = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    try (SharedConversations old =
            SharedConversations.open(db, "a", json, then, new SimpleMeterRegistry());
        SharedConversations a =
            SharedConversations.open(db, "a", json, Clock.systemUTC(), new SimpleMeterRegistry());
        SharedConversations b =
            SharedConversations.open(db, "b", json, Clock.systemUTC(), new SimpleMeterRegistry())) {
      old.save("idle", 0, state(3)).join();
      a.save("busy", 0, state(1)).join();
      List<SharedConversations.Stored> first = b.expire(Duration.ofMinutes(10), 100);
      List<SharedConversations.Stored> second = a.expire(Duration.ofMinutes(10), 100);
      assertThat(first).extracting(SharedConversations.Stored::id).containsExactly("idle");
      assertThat(first.get(0).state().exchanges()).as("its open episode, for the log").hasSize(3);
      assertThat(second).isEmpty();
      assertThat(a.count()).isEqualTo(1);
    }
  }
}
