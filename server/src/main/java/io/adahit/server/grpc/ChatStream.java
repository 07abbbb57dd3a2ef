package io.adahit.server.grpc;

import io.adahit.proto.v1.ChatRequest;
import io.adahit.proto.v1.ChatResponse;
import io.adahit.proto.v1.Message;
import io.adahit.server.chat.ChatService;
import io.adahit.server.chat.Conversation;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One bidirectional Chat stream = one conversation: the first frame opens it (with the frame's
 * skill, or the default) and is answered with the conversation id, skill and persona; each frame
 * with text is a turn, answered in order. An error ends the stream with its Status; the client
 * half-closing (or cancelling) closes the conversation and logs its open episode.
 */
final class ChatStream implements StreamObserver<ChatRequest> {

  private final Supplier<ChatService> chatSupplier;
  private final StreamObserver<ChatResponse> out;
  private ChatService chat;
  private Conversation conversation;
  private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
  private volatile boolean failed;

  ChatStream(Supplier<ChatService> chat, StreamObserver<ChatResponse> out) {
    this.chatSupplier = chat;
    this.out = out;
  }

  @Override
  public synchronized void onNext(ChatRequest request) {
    if (failed) {
      return;
    }
    try {
      if (conversation == null) {
        chat = chatSupplier.get();
        conversation = chat.open(request.getSkill(), "grpc-chat");
        Conversation c = conversation;
        c.onExpired(
            () ->
                fail(
                    GrpcErrors.error(
                        Status.Code.DEADLINE_EXCEEDED,
                        "CONVERSATION_IDLE",
                        "conversation_idle",
                        "conversation "
                            + c.id()
                            + " closed: idle longer than conversations.idleTimeoutSeconds")));
        // answered once the A/B assignment (if any) is committed
        send(
            chat.started(c)
                .thenApply(
                    v ->
                        ChatResponse.newBuilder()
                            .setConversationId(c.id())
                            .setSkill(c.skill().name())
                            .addAllPersona(c.persona())
                            .setExperiment(
                                c.assignment() == null ? "" : c.assignment().experiment())
                            .setVariant(c.assignment() == null ? "" : c.assignment().variant())
                            .setMessage(Message.newBuilder().setId("World").setText(""))
                            .build()));
        if (!request.hasMessage()
            || (request.getMessage().getText().isEmpty()
                && !request.getMessage().getEpisodeDone())) {
          return;
        }
      }
      Conversation c = conversation;
      send(
          DialogueGrpcService.dispatch(chat, c, request.getMessage())
              .thenApply(
                  r ->
                      ChatResponse.newBuilder()
                          .setConversationId(c.id())
                          .setSkill(c.skill().name())
                          .setMessage(DialogueGrpcService.toMessage(r))
                          .setExperiment(c.assignment() == null ? "" : c.assignment().experiment())
                          .setVariant(c.assignment() == null ? "" : c.assignment().variant())
                          .build()));
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  /** Sends responses in request order; the first failure ends the stream. */
  private void send(CompletableFuture<ChatResponse> response) {
    tail =
        tail.thenCompose(v -> response)
            .handle(
                (r, e) -> {
                  synchronized (this) {
                    if (failed) {
                      return null;
                    }
                    if (e != null) {
                      fail(e);
                    } else {
                      out.onNext(r);
                    }
                  }
                  return null;
                });
  }

  private synchronized void fail(Throwable e) {
    if (failed) {
      return;
    }
    failed = true;
    closeConversation();
    out.onError(GrpcErrors.toStatus(e));
  }

  private void closeConversation() {
    if (conversation != null && chat != null) {
      chat.endConversation(conversation);
    }
  }

  @Override
  public synchronized void onError(Throwable t) {
    failed = true; // the client cancelled: nothing more is sent
    closeConversation();
  }

  @Override
  public synchronized void onCompleted() {
    tail.whenComplete(
        (v, e) -> {
          synchronized (this) {
            if (!failed) {
              closeConversation();
              out.onCompleted();
            }
          }
        });
  }
}
