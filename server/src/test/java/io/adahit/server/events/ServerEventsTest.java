package io.adahit.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.adahit.agents.backbone.Backbone;
import io.adahit.proto.v1.ActRequest;
import io.adahit.proto.v1.ActResponse;
import io.adahit.proto.v1.AdminServiceGrpc;
import io.adahit.proto.v1.DialogueServiceGrpc;
import io.adahit.proto.v1.FeedbackRequest;
import io.adahit.proto.v1.Message;
import io.adahit.proto.v1.ReportRequest;
import io.adahit.proto.v1.ReportResponse;
import io.adahit.server.AbFixtures;
import io.adahit.server.DialogueServer;
import io.adahit.server.TestSkills;
import io.adahit.server.skills.LoadProgress;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The server with its event store on SQLite and on PostgreSQL: feedback over gRPC round-trips into
 * the admin report, and after a restart on the same store a conversation keeps its variant and
 * feedback on a conversation from before the restart is stored with the variant on record.
 */
@ExtendWith(TestDatabases.class)
class ServerEventsTest {

  private static final String TOKEN = "events-test-token-0123456789";

  @TempDir static Path tmp;
  private static Backbone reference;

  @BeforeAll
  static void skills() throws Exception {
    reference = Backbone.loadDefault();
    AbFixtures.write(TestSkills.write(tmp.resolve("skills"), reference), reference);
    Files.writeString(
        tmp.resolve("ab.yaml"),
        """
        admin: {token: %s}
        experiments:
          - {name: ada-ab, skill: ada, variants: [{name: a}, {name: b, adapter: ada2, weight: 3}]}
        """
            .formatted(TOKEN));
  }

  @AfterAll
  static void close() {
    reference.close();
  }

  private record Running(DialogueServer server, ManagedChannel channel) implements AutoCloseable {
    DialogueServiceGrpc.DialogueServiceBlockingStub chat() {
      return DialogueServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.MINUTES);
    }

    AdminServiceGrpc.AdminServiceBlockingStub admin() {
      Metadata m = new Metadata();
      m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + TOKEN);
      return AdminServiceGrpc.newBlockingStub(channel)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m))
          .withDeadlineAfter(5, TimeUnit.MINUTES);
    }

    ActResponse act(String id, String text) {
      return chat()
          .act(
              ActRequest.newBuilder()
                  .setConversationId(id)
                  .setSkill("ada")
                  .setMessage(Message.newBuilder().setText(text))
                  .build());
    }

    @Override
    public void close() throws Exception {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.close();
    }
  }

  private static Running start(String url) throws Exception {
    DialogueServer s =
        new DialogueServer(
            TestSkills.config(
                tmp, tmp.resolve("ab.yaml"), Map.of("events.url", url, "grpc.port", "0")),
            new Random(1));
    s.start(LoadProgress.NONE);
    return new Running(
        s, NettyChannelBuilder.forAddress("127.0.0.1", s.grpcPort()).usePlaintext().build());
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void feedbackRoundTripsIntoTheReportAcrossARestart(String kind, TestDatabases.Factory dbs)
      throws Exception {
    String url = dbs.create(kind);
    String before;
    String variant;
    try (Running r = start(url)) {
      ActResponse first = r.act("conv-1", "hi, how are you today?");
      before = first.getConversationId();
      variant = first.getVariant();
      assertThat(variant).isIn("a", "b");
      for (int i = 0; i < 20; i++) {
        ActResponse x = r.act("c" + i, "do you like music?");
        r.chat()
            .feedback(
                FeedbackRequest.newBuilder()
                    .setConversationId("c" + i)
                    .setThumbs(x.getVariant().equals("b") ? "up" : "down")
                    .setRating(x.getVariant().equals("b") ? 4 : 3)
                    .build());
      }
      ReportResponse rep =
          r.admin().report(ReportRequest.newBuilder().setExperiment("ada-ab").build());
      long a = rep.getVariants(0).getConversations();
      long b = rep.getVariants(1).getConversations();
      assertThat(a + b).isEqualTo(21);
      assertThat(rep.getVariants(0).getThumbsDown() + rep.getVariants(1).getThumbsUp())
          .isEqualTo(20);
      assertThat(rep.getVariants(1).getThumbsUpRate()).isEqualTo(1.0);
      assertThat(rep.getVariants(0).getMeanRating()).isEqualTo(3.0);
    }
    try (Running r = start(url)) {
      assertThat(r.act("conv-1", "i am back").getVariant())
          .as("sticky across restarts")
          .isEqualTo(variant);
      // c0 is not open in this process: its feedback is stored with the assignment on record
      String v0 = r.server().events().queries().assignments("c0").get(0).variant();
      assertThat(
              r.chat()
                  .feedback(
                      FeedbackRequest.newBuilder().setConversationId("c0").setRating(5).build())
                  .getVariant())
          .isEqualTo(v0);
      ReportResponse rep =
          r.admin().report(ReportRequest.newBuilder().setExperiment("ada-ab").build());
      assertThat(rep.getVariants(0).getConversations() + rep.getVariants(1).getConversations())
          .as("conv-1's second assignment is a no-op")
          .isEqualTo(21);
      assertThat(rep.getVariants(0).getRatings() + rep.getVariants(1).getRatings()).isEqualTo(21);
    }
    assertThat(before).isEqualTo("conv-1");
  }
}
