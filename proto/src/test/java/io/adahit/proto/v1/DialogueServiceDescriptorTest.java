package io.adahit.proto.v1;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServiceDescriptor;
import org.junit.jupiter.api.Test;

class DialogueServiceDescriptorTest {

  @Test
  void serviceDeclaresTheDialogueMethodsWithTheirStreamingKinds() {
    ServiceDescriptor service = DialogueServiceGrpc.getServiceDescriptor();
    assertThat(service.getName()).isEqualTo("adahit.v1.DialogueService");
    assertThat(DialogueServiceGrpc.getActMethod().getType()).isEqualTo(MethodType.UNARY);
    assertThat(DialogueServiceGrpc.getRankMethod().getType()).isEqualTo(MethodType.UNARY);
    assertThat(DialogueServiceGrpc.getChatMethod().getType()).isEqualTo(MethodType.BIDI_STREAMING);
  }

  @Test
  void messageCarriesParlaiFieldsThroughTheWire() throws Exception {
    Message m =
        Message.newBuilder()
            .setText("your persona: i like to ski.\nhi there")
            .addEvalLabels("hello!")
            .addLabelCandidates("hello!")
            .addLabelCandidates("bye")
            .setEpisodeDone(true)
            .putMetrics("rank", 1.0)
            .build();
    Message back = Message.parseFrom(m.toByteArray());
    assertThat(back).isEqualTo(m);
    assertThat(back.hasReward()).isFalse();
  }
}
