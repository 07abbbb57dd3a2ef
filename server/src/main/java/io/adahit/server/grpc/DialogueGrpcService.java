package io.adahit.server.grpc;

import io.adahit.agents.errors.ErrorKind;
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
import io.adahit.server.chat.BadRequestException;
import io.adahit.server.chat.ChatService;
import io.adahit.server.chat.Conversation;
import io.adahit.server.chat.Reply;
import io.adahit.server.config.ServerConfig;
import io.adahit.server.experiments.Feedback;
import io.adahit.server.inference.TurnScheduler;
import io.adahit.server.skills.Skill;
import io.adahit.server.skills.SkillLeases;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * DialogueService over gRPC: maps protobuf to the chat service's plain types at the edge. Every
 * handler only validates and queues work; replies are sent from the future's completion, so no gRPC
 * thread waits on inference. A call its client cancelled, or whose deadline passed, drops its
 * queued work and is counted, not logged as an error ({@link CallWatch}).
 */
public final class DialogueGrpcService extends DialogueServiceGrpc.DialogueServiceImplBase {

  private final ServerState state;
  private final MeterRegistry registry;

  /**
   * @param registry where cancelled calls are counted
   */
  public DialogueGrpcService(ServerState state, MeterRegistry registry) {
    this.state = state;
    this.registry = registry;
  }

  private ChatService chat() {
    return state
        .chat()
        .filter(c -> state.ready())
        .orElseThrow(
            () ->
                GrpcErrors.error(
                    ErrorKind.UNAVAILABLE, "NOT_READY", "server is not ready: " + state.detail()));
  }

  @Override
  public void listSkills(ListSkillsRequest request, StreamObserver<ListSkillsResponse> out) {
    try {
      ChatService chat = chat();
      ListSkillsResponse.Builder b =
          ListSkillsResponse.newBuilder().setDefaultSkill(chat.skills().defaultSkill());
      for (Skill s : chat.skills().all()) {
        b.addSkills(
            SkillInfo.newBuilder()
                .setName(s.name())
                .setKind(s.kind())
                .setKindEnum(ProtoEnums.skillKind(s.kind()))
                .setCandidateCount(s.candidateCount())
                .setParameterCount(s.parameterCount())
                .setPersonaCount(s.personas().size())
                .setTextTruncate(s.contextLength())
                .setLabelTruncate(s.isRouter() ? 0 : s.lengths().label())
                .addAllRoutesTo(s.isRouter() ? s.router().skills() : List.of()));
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
      checkRank(chat.scheduler().rankLimits(), request.getContext(), request.getCandidatesList());
      Skill skill = chat.skills().resolve(request.getSkill());
      SkillLeases.Lease lease =
          chat.lease(skill.name()); // an adapter replaced meanwhile is kept for this job
      CompletableFuture<TurnScheduler.Ranked> f =
          chat.scheduler().rank(lease.skill(), request.getContext(), request.getCandidatesList());
      f.whenComplete((r, e) -> lease.close());
      CallWatch.start(out, "Rank", f, registry)
          .answer(
              f,
              out,
              ranked -> {
                Ranking r = ranked.ranking();
                RankResponse.Builder b = RankResponse.newBuilder().setSkill(ranked.skill());
                for (float s : r.scores()) {
                  b.addScores(s);
                }
                for (int i : r.order()) {
                  b.addRanking(i);
                }
                return b.build();
              });
    } catch (RuntimeException e) {
      out.onError(GrpcErrors.toStatus(e));
    }
  }

  /**
   * Checks a call against the {@code rank.*} limits.
   *
   * @throws BadRequestException naming the limit exceeded, with the value found
   */
  static void checkRank(ServerConfig.Rank rankLimits, String context, List<String> candidates) {
    if (candidates.isEmpty()) {
      throw new BadRequestException("missing_candidates", "rank: candidates must not be empty");
    }
    if (context.length() > rankLimits.maxContextChars()) {
      throw new BadRequestException(
          "too_large",
          "rank: the context has "
              + context.length()
              + " characters, more than rank.maxContextChars ("
              + rankLimits.maxContextChars()
              + ")");
    }
    if (candidates.size() > rankLimits.maxCandidates()) {
      throw new BadRequestException(
          "too_large",
          "rank: "
              + candidates.size()
              + " candidates, more than rank.maxCandidates ("
              + rankLimits.maxCandidates()
              + ") per call");
    }
    long chars = 0;
    for (String c : candidates) {
      chars += c.length();
    }
    if (chars > rankLimits.maxCandidateChars()) {
      throw new BadRequestException(
          "too_large",
          "rank: the candidates have "
              + chars
              + " characters in all, more than rank.maxCandidateChars ("
              + rankLimits.maxCandidateChars()
              + ") per call");
    }
  }

  @Override
  public void act(ActRequest request, StreamObserver<ActResponse> out) {
    try {
      ChatService chat = chat();
      String id = request.getConversationId();
      Message m = request.getMessage();
      if (command(m) == null) {
        chat.validate(m.getText()); // a turn that cannot be answered opens nothing
      }
      // held here, or (conversations.shared) stored by any replica; else a new conversation
      CompletableFuture<Conversation> found =
          id.isEmpty() ? CompletableFuture.completedFuture(null) : chat.resume(id);
      Conversation[] held = new Conversation[1];
      CompletableFuture<Reply> f =
          found.thenCompose(
              existing ->
                  answer(chat, request, existing, held)
                      .exceptionallyCompose(
                          e -> {
                            // a shared conversation this replica still held had ended or expired on
                            // another one: as for any
                            // unknown id, the call opens a new conversation (nothing of the failed
                            // attempt was applied)
                            if (existing != null
                                && existing.shared()
                                && command(m) == null
                                && io.adahit.agents.errors.ErrorKind.unwrap(e)
                                    instanceof io.adahit.server.chat.UnknownConversationException) {
                              return answer(chat, request, null, held);
                            }
                            return CompletableFuture.failedFuture(e);
                          }));
      CallWatch.start(out, "Act", f, registry)
          .answer(
              f,
              out,
              r -> {
                Conversation c = held[0];
                ActResponse.Builder b =
                    ActResponse.newBuilder()
                        .setConversationId(c.id())
                        .setSkill(c.skill().name())
                        .addAllPersona(c.persona())
                        .setMessage(toMessage(r));
                if (c.assignment() != null) {
                  b.setExperiment(c.assignment().experiment()).setVariant(c.assignment().variant());
                }
                return b.build();
              });
    } catch (RuntimeException e) {
      out.onError(GrpcErrors.toStatus(e));
    }
  }

  /**
   * Answers an Act on {@code existing}, or on a conversation it opens (under the request's id, or a
   * new one) when null; {@code held[0]} is set to the conversation answered.
   */
  private static CompletableFuture<Reply> answer(
      ChatService chat, ActRequest request, Conversation existing, Conversation[] held) {
    String id = request.getConversationId();
    Message m = request.getMessage();
    Conversation c =
        existing != null
            ? existing
            : id.isEmpty()
                ? chat.open(request.getSkill(), "grpc-act")
                : chat.open(id, request.getSkill(), "grpc-act");
    held[0] = c;
    CompletableFuture<Reply> r = dispatch(chat, c, m);
    if ("[DONE]".equals(command(m))) { // a finished conversation holds no slot
      return r.thenCompose(reply -> chat.endConversation(c).thenApply(v -> reply));
    } else if (existing
        == null) { // refused (overloaded, cancelled...): the conversation it opened is closed
      return r.whenComplete(
          (reply, e) -> {
            if (e != null) {
              chat.abandon(c);
            }
          });
    }
    return r;
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
      Feedback f =
          Feedback.of(
              request.getRating() == 0 ? null : request.getRating(),
              ProtoEnums.thumbs(request.getThumbs(), request.getThumbsVote()),
              request.getTurn() == 0 ? null : request.getTurn());
      CallWatch.start(out, "Feedback", null, registry)
          .answer(
              chat.feedback(request.getConversationId(), f),
              out,
              r ->
                  FeedbackResponse.newBuilder()
                      .setFeedbackId(r.id())
                      .setExperiment(r.experiment() == null ? "" : r.experiment())
                      .setVariant(r.variant() == null ? "" : r.variant())
                      .build());
    } catch (RuntimeException e) {
      out.onError(GrpcErrors.toStatus(e));
    }
  }

  /** ParlAI's chat commands, then a turn; episode_done ends the episode after its reply. */
  static CompletableFuture<Reply> dispatch(ChatService chat, Conversation c, Message m) {
    String command = command(m);
    if ("[RESET]".equals(command)) {
      return chat.reset(c);
    }
    if ("[DONE]".equals(command)) {
      return chat.finish(c);
    }
    return chat.turn(c, m.getText(), m.getEpisodeDone());
  }

  /** "[RESET]", "[DONE]" (an empty message with episode_done too), or null for a turn. */
  private static String command(Message m) {
    String text = m.getText();
    if (text.contains("[RESET]")) {
      return "[RESET]";
    }
    if (text.contains("[DONE]") || (m.getEpisodeDone() && text.isBlank())) {
      return "[DONE]";
    }
    return null;
  }

  static Message toMessage(Reply r) {
    Message.Builder b =
        Message.newBuilder()
            .setText(r.text())
            .setId(r.skill())
            .setEpisodeDone(r.episodeDone())
            .addAllTextCandidates(r.textCandidates());
    for (float s : r.scores()) {
      b.addCandidateScores(s);
    }
    return b.build();
  }

  @Override
  public StreamObserver<ChatRequest> chat(StreamObserver<ChatResponse> out) {
    return new ChatStream(this::chat, out);
  }
}
