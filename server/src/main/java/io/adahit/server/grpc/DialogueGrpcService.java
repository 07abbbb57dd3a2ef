package io.adahit.server.grpc;

import io.adahit.agents.ranker.Ranking;
import io.adahit.proto.v1.ActRequest;
import io.adahit.proto.v1.ActResponse;
import io.adahit.proto.v1.ChatRequest;
import io.adahit.proto.v1.ChatResponse;
import io.adahit.proto.v1.DialogueServiceGrpc;
import io.adahit.proto.v1.FeedbackRequest;
import io.adahit.proto.v1.FeedbackResponse;
import io.adahit.proto.v1.ListSkillsRequest;
import io.adahit.proto.v1.ListSkillsResponse;
import io.adahit.proto.v1.Message;
import io.adahit.proto.v1.RankRequest;
import io.adahit.proto.v1.RankResponse;
import io.adahit.proto.v1.SkillInfo;
import io.adahit.server.ServerState;
import io.adahit.server.chat.ChatService;
import io.adahit.server.chat.Conversation;
import io.adahit.server.chat.Reply;
import io.adahit.server.inference.TurnScheduler;
import io.adahit.server.experiments.Feedback;
import io.adahit.server.skills.Skill;
import io.adahit.server.skills.SkillLeases;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/**
 * DialogueService over gRPC: maps protobuf to the chat service's plain types at the edge. Every
 * handler only validates and queues work; replies are sent from the future's completion, so no
 * gRPC thread waits on inference. Cancelled calls drop their queued work.
 */
public final class DialogueGrpcService extends DialogueServiceGrpc.DialogueServiceImplBase {

  /** Most candidates one Rank call may score. */
  static final int MAX_RANK_CANDIDATES = 10_000;

  private final ServerState state;

  public DialogueGrpcService(ServerState state) {
    this.state = state;
  }

  private ChatService chat() {
    return state.chat().filter(c -> state.ready()).orElseThrow(() -> Status.UNAVAILABLE
        .withDescription("server is not ready: " + state.detail()).asRuntimeException());
  }

  @Override
  public void listSkills(ListSkillsRequest request, StreamObserver<ListSkillsResponse> out) {
    try {
      ChatService chat = chat();
      ListSkillsResponse.Builder b = ListSkillsResponse.newBuilder().setDefaultSkill(chat.skills().defaultSkill());
      for (Skill s : chat.skills().all()) {
        b.addSkills(SkillInfo.newBuilder().setName(s.name()).setKind(s.kind())
            .setCandidateCount(s.candidateCount()).setParameterCount(s.parameterCount())
            .setPersonaCount(s.personas().size()).setTextTruncate(s.contextLength())
            .setLabelTruncate(s.isRouter() ? 0 : s.lengths().label()));
      }
      out.onNext(b.build());
      out.onCompleted();
    } catch (RuntimeException e) {
      out.onError(GrpcErrors.toStatus(e));
    }
  }

  @Override
  public void rank(RankRequest request, StreamObserver<RankResponse> out) {
    try {
      ChatService chat = chat();
      if (request.getCandidatesCount() == 0) {
        throw new IllegalArgumentException("rank: candidates must not be empty");
      }
      if (request.getCandidatesCount() > MAX_RANK_CANDIDATES) {
        throw new IllegalArgumentException("rank: at most " + MAX_RANK_CANDIDATES + " candidates per call, found "
            + request.getCandidatesCount());
      }
      Skill skill = chat.skills().resolve(request.getSkill());
      SkillLeases.Lease lease = chat.lease(skill.name());   // an adapter replaced meanwhile is kept for this job
      CompletableFuture<TurnScheduler.Ranked> f =
          chat.scheduler().rank(lease.skill(), request.getContext(), request.getCandidatesList());
      f.whenComplete((r, e) -> lease.close());
      cancelOnCancel(out, f);
      f.whenComplete((ranked, e) -> {
        if (e != null) {
          out.onError(GrpcErrors.toStatus(e));
          return;
        }
        Ranking r = ranked.ranking();
        RankResponse.Builder b = RankResponse.newBuilder().setSkill(ranked.skill());
        for (float s : r.scores()) {
          b.addScores(s);
        }
        for (int i : r.order()) {
          b.addRanking(i);
        }
        out.onNext(b.build());
        out.onCompleted();
      });
    } catch (RuntimeException e) {
      out.onError(GrpcErrors.toStatus(e));
    }
  }

  @Override
  public void act(ActRequest request, StreamObserver<ActResponse> out) {
    try {
      ChatService chat = chat();
      String id = request.getConversationId();
      Conversation c = id.isEmpty() ? chat.open(request.getSkill(), "grpc-act")
          : chat.find(id).orElseGet(() -> chat.open(id, request.getSkill(), "grpc-act"));
      CompletableFuture<Reply> f = dispatch(chat, c, request.getMessage());
      cancelOnCancel(out, f);
      f.whenComplete((r, e) -> {
        if (e != null) {
          out.onError(GrpcErrors.toStatus(e));
          return;
        }
        ActResponse.Builder b = ActResponse.newBuilder().setConversationId(c.id()).setSkill(c.skill().name())
            .addAllPersona(c.persona()).setMessage(toMessage(r));
        if (c.assignment() != null) {
          b.setExperiment(c.assignment().experiment()).setVariant(c.assignment().variant());
        }
        out.onNext(b.build());
        out.onCompleted();
      });
    } catch (RuntimeException e) {
      out.onError(GrpcErrors.toStatus(e));
    }
  }

  /**
   * Stores a client's feedback on a conversation (open, or on record through its experiment
   * assignment), answered once committed.
   */
  @Override
  public void feedback(FeedbackRequest request, StreamObserver<FeedbackResponse> out) {
    try {
      ChatService chat = chat();
      if (request.getConversationId().isEmpty()) {
        throw new IllegalArgumentException("feedback: conversation_id is required");
      }
      Feedback f = Feedback.of(request.getRating() == 0 ? null : request.getRating(),
          request.getThumbs().isEmpty() ? null : request.getThumbs(), request.getTurn() == 0 ? null : request.getTurn());
      chat.feedback(request.getConversationId(), f).whenComplete((r, e) -> {
        if (e != null) {
          out.onError(GrpcErrors.toStatus(e));
          return;
        }
        out.onNext(FeedbackResponse.newBuilder().setFeedbackId(r.id())
            .setExperiment(r.experiment() == null ? "" : r.experiment())
            .setVariant(r.variant() == null ? "" : r.variant()).build());
        out.onCompleted();
      });
    } catch (RuntimeException e) {
      out.onError(GrpcErrors.toStatus(e));
    }
  }

  /** ParlAI's chat commands, then a turn; episode_done ends the episode after its reply. */
  static CompletableFuture<Reply> dispatch(ChatService chat, Conversation c, Message m) {
    String text = m.getText();
    if (text.contains("[RESET]")) {
      return chat.reset(c);
    }
    if (text.contains("[DONE]") || (m.getEpisodeDone() && text.isBlank())) {
      return chat.finish(c);
    }
    return chat.turn(c, text, m.getEpisodeDone());
  }

  static Message toMessage(Reply r) {
    Message.Builder b = Message.newBuilder().setText(r.text()).setId(r.skill()).setEpisodeDone(r.episodeDone())
        .addAllTextCandidates(r.textCandidates());
    for (float s : r.scores()) {
      b.addCandidateScores(s);
    }
    return b.build();
  }

  private static void cancelOnCancel(StreamObserver<?> out, CompletableFuture<?> f) {
    if (out instanceof ServerCallStreamObserver<?> s) {
      s.setOnCancelHandler(() -> f.cancel(false));
    }
  }

  @Override
  public StreamObserver<ChatRequest> chat(StreamObserver<ChatResponse> out) {
    return new ChatStream(this::chat, out);
  }
}
