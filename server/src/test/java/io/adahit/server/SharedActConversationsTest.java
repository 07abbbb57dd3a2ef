package io.adahit.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.agents.backbone.Backbone;
import io.adahit.proto.v1.ActRequest;
import io.adahit.proto.v1.ActResponse;
import io.adahit.proto.v1.DialogueServiceGrpc;
import io.adahit.proto.v1.Message;
import io.adahit.server.skills.LoadProgress;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code conversations.shared} without a balancer: two servers on one SQLite event store (one
 * host), each Act sent to a chosen replica, so the hand-over points are exact. A conversation
 * continues on the other replica with its persona and history; [DONE] on one ends it for both (the
 * id then opens a fresh conversation, as any unknown id does); a replica holds a shared
 * conversation only while answering it; an idle conversation is expired from the store once, its
 * open episode logged.
 */
class SharedActConversationsTest {

  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path tmp;
  static DialogueServer a;
  static DialogueServer b;
  static ManagedChannel toA;
  static ManagedChannel toB;

  @BeforeAll
  static void start() throws Exception {
    try (Backbone reference = Backbone.loadDefault()) {
      TestSkills.write(tmp.resolve("skills"), reference);
    }
    String events = "jdbc:sqlite:" + tmp.resolve("events.db");
    a = replica("a", events);
    b = replica("b", events);
    toA = NettyChannelBuilder.forAddress("127.0.0.1", a.grpcPort()).usePlaintext().build();
    toB = NettyChannelBuilder.forAddress("127.0.0.1", b.grpcPort()).usePlaintext().build();
  }

  private static DialogueServer replica(String name, String events) throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("skills.dir", tmp.resolve("skills").toString());
    o.put("events.url", events);
    o.put("events.replica", name);
    o.put("conversations.shared", "true");
    o.put("conversations.idleTimeoutSeconds", "3");
    DialogueServer s =
        new DialogueServer(
            TestSkills.config(Files.createDirectories(tmp.resolve(name)), o),
            new Random(name.hashCode()));
    s.start(LoadProgress.NONE);
    return s;
  }

  @AfterAll
  static void stop() throws Exception {
    toA.shutdownNow();
    toB.shutdownNow();
    a.close();
    b.close();
  }

  static ActResponse act(ManagedChannel ch, String id, String text) {
    return DialogueServiceGrpc.newBlockingStub(ch)
        .withDeadlineAfter(2, TimeUnit.MINUTES)
        .act(
            ActRequest.newBuilder()
                .setConversationId(id)
                .setSkill("base")
                .setMessage(Message.newBuilder().setText(text))
                .build());
  }

  static List<JsonNode> logged(String id) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (DialogueServer s : List.of(a, b)) {
      for (String line : Files.readAllLines(s.conversationLog().file())) {
        JsonNode n = JSON.readTree(line);
        if (n.get("conversation_id").asText().equals(id)) {
          out.add(n);
        }
      }
    }
    return out;
  }

  @Test
  void aConversationMovesBetweenReplicasWithItsPersonaAndHistoryAndEndsForBoth() throws Exception {
    ActResponse first = act(toA, "", "hi there, do you have any pets?");
    String id = first.getConversationId();
    assertThat(first.getPersonaList()).isNotEmpty();
    ActResponse second = act(toB, id, "i have a cat named tom.");
    ActResponse third = act(toA, id, "what do you do for a living?");
    assertThat(second.getPersonaList()).isEqualTo(first.getPersonaList());
    assertThat(third.getPersonaList()).isEqualTo(first.getPersonaList());
    assertThat(second.getSkill()).isEqualTo("base");
    ActResponse done = act(toB, id, "[DONE]");
    assertThat(done.getMessage().getEpisodeDone()).isTrue();

    List<JsonNode> episodes = logged(id);
    assertThat(episodes).hasSize(1);
    List<String> users = new ArrayList<>();
    episodes.get(0).get("dialog").forEach(pair -> users.add(pair.get(0).get("text").asText()));
    assertThat(users)
        .as("turns taken on a, b, a, logged by b")
        .containsExactly(
            "hi there, do you have any pets?",
            "i have a cat named tom.",
            "what do you do for a living?");
    assertThat(episodes.get(0).get("context").get(0).get("persona"))
        .hasSize(first.getPersonaCount());
    assertThat(a.chat().sharedStore().load(id).join()).as("ended for every replica").isEmpty();
    long until =
        System.nanoTime() + TimeUnit.SECONDS.toNanos(5); // let go of right after the reply is sent
    while ((a.chat().find(id).isPresent() || b.chat().find(id).isPresent())
        && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    assertThat(a.chat().find(id)).as("held only while answering").isEmpty();
    assertThat(b.chat().find(id)).isEmpty();

    // the id now opens a fresh conversation on a, as on one server
    ActResponse again = act(toA, id, "hello again!");
    assertThat(again.getConversationId()).isEqualTo(id);
    assertThat(a.chat().sharedStore().load(id).join().orElseThrow().state().exchanges()).hasSize(1);
  }

  @Test
  void anIdleSharedConversationIsExpiredOnceAndItsEpisodeLogged() throws Exception {
    ActResponse first = act(toA, "", "good morning! any plans today?");
    String id = first.getConversationId();
    act(toB, id, "i might go for a run.");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (a.chat().sharedStore().load(id).join().isPresent() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(a.chat().sharedStore().load(id).join()).as("expired from the store").isEmpty();
    Thread.sleep(3000); // both replicas swept at least once more
    List<JsonNode> episodes = logged(id);
    assertThat(episodes).as("logged once, by the replica that removed it").hasSize(1);
    assertThat(episodes.get(0).get("dialog")).hasSize(2);
  }
}
