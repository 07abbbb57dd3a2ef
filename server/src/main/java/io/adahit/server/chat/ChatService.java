package io.adahit.server.chat;

import io.adahit.agents.adapters.UnknownSkillException;
import io.adahit.server.config.ServerConfig;
import io.adahit.server.experiments.Assignment;
import io.adahit.server.experiments.ConversationHooks;
import io.adahit.server.experiments.Feedback;
import io.adahit.server.inference.ShuttingDownException;
import io.adahit.server.inference.TurnRequest;
import io.adahit.server.inference.TurnScheduler;
import io.adahit.server.metrics.ServerMetrics;
import io.adahit.server.skills.Skill;
import io.adahit.server.skills.SkillCatalog;
import io.adahit.server.skills.SkillLeases;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-conversation agents, shared by every transport: opens conversations bound to a skill
 * (with a persona drawn for persona skills), answers turns through the {@link TurnScheduler} with
 * ParlAI's history semantics, handles reset and end of episode, and writes finished episodes to the
 * {@link ConversationLog}. Knows nothing of JSON frames or protobuf.
 *
 * <p>With a {@link SharedConversations} store ({@code conversations.shared}), gRPC Act
 * conversations live in the database: {@link #resume} finds one any replica stored, every operation
 * on it reads the stored state first and writes it after (version-checked), closing it removes it
 * for every replica, and idle expiry is decided on the stored row. A replica's own copy is only a
 * cache: shutdown and local idleness let go of it without ending the conversation.
 *
 * <pre>{@code
 * Conversation c = chat.open("base", "websocket");
 * chat.turn(c, "hi! how are you?", false).thenAccept(r -> send(r.text()));
 * chat.finish(c);      // "[DONE]": the episode is logged and the history cleared
 * chat.endConversation(c);   // disconnect: the open episode is logged, the conversation gone
 * }</pre>
 */
public final class ChatService implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ChatService.class);

  private final SkillCatalog skills;
  private final TurnScheduler scheduler;
  private final ServerConfig config;
  private final ConversationLog log;
  private final ServerMetrics metrics;
  private final RandomGenerator random;
  private final ConversationHooks hooks;
  private final Map<String, Conversation> open = new ConcurrentHashMap<>();

  /** Conversations closed whose queued operations (and closing log write) have not finished yet. */
  private final Set<Conversation> closing = ConcurrentHashMap.newKeySet();

  private volatile boolean stopping;
  private final Map<String, Integer> openByTransport = new HashMap<>(); // guarded by open

  /** Where gRPC Act conversations live (conversations.shared), or null: in this process only. */
  private final SharedConversations shared;

  /** The transport whose conversations are shared when {@code conversations.shared} is on. */
  public static final String SHARED_TRANSPORT = "grpc-act";

  /**
   * @param log where finished episodes go, or null for no conversation logs
   * @param random draws personas
   * @param hooks A/B assignment, the leased Skill each turn runs on, and where events go ({@link
   *     io.adahit.server.experiments.ExperimentService}; {@link ConversationHooks#plain} without
   *     experiments or run-time adapter changes)
   * @param shared where gRPC Act conversations are kept so any replica continues them, or null (see
   *     {@link SharedConversations})
   */
  public ChatService(
      SkillCatalog skills,
      TurnScheduler scheduler,
      ServerConfig config,
      ConversationLog log,
      ServerMetrics metrics,
      RandomGenerator random,
      ConversationHooks hooks,
      SharedConversations shared) {
    this.shared = shared;
    this.hooks = hooks;
    this.skills = skills;
    this.scheduler = scheduler;
    this.config = config;
    this.log = log;
    this.metrics = metrics;
    this.random = random;
    metrics.gauge("adahit.conversations.open", "conversations held (all transports)", open::size);
  }

  public SkillCatalog skills() {
    return skills;
  }

  public TurnScheduler scheduler() {
    return scheduler;
  }

  /**
   * Opens a conversation.
   *
   * @param skillName null or blank for the default skill
   * @throws UnknownSkillException listing the servable skills
   * @throws TooManyConversationsException at the configured maximum
   * @throws ShuttingDownException after {@link #stopAccepting}
   */
  public Conversation open(String skillName, String transport) {
    return open(UUID.randomUUID().toString(), skillName, transport);
  }

  /**
   * Opens a conversation under a client-chosen id (gRPC Act: "a new id opens a conversation").
   *
   * @throws BadRequestException if the id is blank, longer than 128 characters or already open
   */
  public Conversation open(String id, String skillName, String transport) {
    if (id == null || id.isBlank() || id.length() > 128) {
      throw new BadRequestException(
          "bad_conversation_id",
          "conversation id must be 1..128 characters, found "
              + (id == null ? "none" : id.length()));
    }
    Skill skill = skills.resolve(skillName);
    synchronized (open) {
      if (stopping) {
        throw new ShuttingDownException();
      }
      if (open.containsKey(id)) {
        throw new BadRequestException(
            "bad_conversation_id", "conversation '" + id + "' is already open");
      }
      ServerConfig.Conversations limits = config.conversations();
      if (open.size() >= limits.maxOpen()) {
        metrics.error("too_many_conversations");
        throw new TooManyConversationsException(
            "too many open conversations: the server holds at most "
                + limits.maxOpen()
                + " (conversations.maxOpen); try again later");
      }
      int mine = openByTransport.getOrDefault(transport, 0);
      if (mine >= limits.maxPerTransport()) {
        metrics.error("too_many_conversations");
        throw new TooManyConversationsException(
            "too many open "
                + transport
                + " conversations: one transport"
                + " holds at most "
                + limits.maxPerTransport()
                + " (conversations.transportShare "
                + limits.transportShare()
                + " of conversations.maxOpen "
                + limits.maxOpen()
                + "); try again later");
      }
      List<String> persona;
      synchronized (random) {
        persona = skill.drawPersona(random);
      }
      Assignment assignment = hooks.assign(id, skill.name());
      Conversation c =
          new Conversation(
              id,
              skill,
              persona,
              transport,
              config.agent().historySize(),
              config.agent().delimiter(),
              assignment);
      if (shared != null && SHARED_TRANSPORT.equals(transport)) {
        c.share(
            0,
            () -> releaseIfIdle(c)); // stored by its first operation; held here only while in use
      }
      open.put(c.id(), c);
      openByTransport.merge(transport, 1, Integer::sum);
      if (assignment != null) {
        // the conversation's first operation: the assignment is stored before any reply says it is
        // in the
        // experiment; if it cannot be, the conversation is served outside the experiment, never
        // half in it
        c.opening(
            c.enqueue(
                Integer.MAX_VALUE,
                () ->
                    hooks
                        .opened(id, assignment, transport)
                        .thenApply(
                            stored -> {
                              if (!stored) {
                                c.leaveExperiment();
                                metrics.error("assignment_not_stored");
                              }
                              return (Void) null;
                            })));
      }
      return c;
    }
  }

  /**
   * Leases the Skill object served as {@code skill} now, for work outside a conversation (gRPC
   * Rank).
   */
  public SkillLeases.Lease lease(String skill) {
    return hooks.lease(skill, null);
  }

  /**
   * The open conversation {@code id}: held here, or (shared store) stored by any replica, then held
   * here too; null when it is in neither (a new id). Never completes on the caller's thread with a
   * database wait: the read runs on the store's threads.
   */
  public CompletableFuture<Conversation> resume(String id) {
    Conversation c = open.get(id);
    if (c != null || shared == null) {
      return CompletableFuture.completedFuture(c);
    }
    long t0 = System.nanoTime();
    return shared
        .load(id)
        .thenApply(found -> found.map(st -> adopt(st, System.nanoTime() - t0)).orElse(null));
  }

  /** Holds a conversation stored by another replica (or by this one before it let go of it). */
  private Conversation adopt(SharedConversations.Stored st, long loadNanos) {
    ConversationState s = st.state();
    Skill skill = skills.get(s.skill()); // UnknownSkillException if it is no longer served here
    synchronized (open) {
      Conversation held = open.get(st.id());
      if (held != null) {
        return held;
      }
      if (stopping) {
        throw new ShuttingDownException();
      }
      ServerConfig.Conversations limits = config.conversations();
      if (open.size() >= limits.maxOpen()
          || openByTransport.getOrDefault(s.transport(), 0) >= limits.maxPerTransport()) {
        metrics.error("too_many_conversations");
        throw new TooManyConversationsException(
            "too many open conversations on this replica (conversations.maxOpen "
                + limits.maxOpen()
                + ", transportShare "
                + limits.transportShare()
                + "); try again later");
      }
      Conversation c =
          new Conversation(
              st.id(),
              skill,
              s.persona(),
              s.transport(),
              config.agent().historySize(),
              config.agent().delimiter(),
              s.assignment());
      c.share(st.version(), () -> releaseIfIdle(c));
      c.restore(s, st.version());
      c.loaded(loadNanos); // its first operation need not read it again
      open.put(c.id(), c);
      openByTransport.merge(s.transport(), 1, Integer::sum);
      return c;
    }
  }

  /**
   * Runs {@code op} on a shared conversation's current stored state and stores what it leaves (or,
   * {@code end}, removes the conversation); on a conversation of this process only, runs it. A
   * conversation no longer stored (ended or expired on another replica) fails {@link
   * UnknownConversationException} and is let go here; a write that lost a race fails {@link
   * ConversationConflictException}, and the next operation reads the stored state afresh.
   */
  private <T> Supplier<CompletableFuture<T>> synced(
      Conversation c, Supplier<CompletableFuture<T>> op, boolean end) {
    if (!c.shared()) {
      return op;
    }
    return () -> {
      long loaded = c.takeLoaded();
      CompletableFuture<Long> read;
      if (loaded >= 0) {
        read = CompletableFuture.completedFuture(loaded);
      } else {
        long t0 = System.nanoTime();
        read =
            shared
                .load(c.id())
                .thenApply(
                    found -> {
                      if (found.isPresent()) {
                        c.restore(found.get().state(), found.get().version());
                      } else if (c.storedVersion() != 0) { // ended or expired elsewhere
                        release(c);
                        throw new UnknownConversationException(c.id());
                      }
                      return System.nanoTime() - t0;
                    });
      }
      return read.thenCompose(
          readNanos ->
              op.get()
                  .thenCompose(
                      result -> {
                        long t1 = System.nanoTime();
                        long expected = c.storedVersion();
                        CompletableFuture<?> write =
                            end
                                ? shared.delete(c.id())
                                : shared
                                    .save(c.id(), expected, c.state())
                                    .thenApply(
                                        v -> {
                                          c.storedVersion(v);
                                          return v;
                                        });
                        return write.handle(
                            (v, e) -> {
                              if (e != null) {
                                if (expected
                                    == 0) { // never stored: forget the unsaved turn, stay new
                                  c.forgetEpisode();
                                } else {
                                  c.storedVersion(
                                      -1); // what this object holds is not what is stored: read it
                                  // afresh next time
                                }
                                throw e instanceof java.util.concurrent.CompletionException ce
                                    ? ce
                                    : new java.util.concurrent.CompletionException(e);
                              }
                              shared.recordTurn(readNanos + System.nanoTime() - t1);
                              return result;
                            });
                      }));
    };
  }

  /**
   * Lets go of a shared conversation once no operation of it is queued here: between calls it lives
   * in the store only, so a replica holds (and counts against {@code conversations.maxOpen}) just
   * the conversations it is answering now, however many the fleet serves.
   */
  private void releaseIfIdle(Conversation c) {
    synchronized (open) {
      if (!c.busy()) {
        release(c);
      }
    }
  }

  /** Lets go of a shared conversation here without ending it (it lives on in the store). */
  private void release(Conversation c) {
    synchronized (open) {
      if (open.remove(c.id(), c)) {
        openByTransport.computeIfPresent(c.transport(), (t, n) -> n > 1 ? n - 1 : null);
      }
    }
  }

  /**
   * Completes after the conversation's earlier operations (its assignment's commit, for a new one).
   */
  public CompletableFuture<Void> started(Conversation c) {
    return c.enqueue(Integer.MAX_VALUE, () -> CompletableFuture.completedFuture((Void) null));
  }

  /**
   * Stores a client's feedback on conversation {@code id} with the variant that served it: an open
   * conversation's, else the assignment on record (feedback after the end, or after a restart).
   *
   * @return completes once the feedback is committed
   * @throws UnknownConversationException (in the future) if the conversation is neither open nor on
   *     record
   */
  public CompletableFuture<Feedback.Receipt> feedback(String id, Feedback feedback) {
    Conversation c = open.get(id);
    if (c != null) {
      return feedback(c, feedback);
    }
    if (shared != null) { // open on another replica: its stored skill, variant and episode
      return shared
          .load(id)
          .thenCompose(
              found ->
                  found.isPresent()
                      ? hooks.feedback(
                          id,
                          found.get().state().skill(),
                          found.get().state().assignment(),
                          found.get().state().episode(),
                          feedback)
                      : storedFeedback(id, feedback));
    }
    return storedFeedback(id, feedback);
  }

  private CompletableFuture<Feedback.Receipt> storedFeedback(String id, Feedback feedback) {
    return hooks
        .storedAssignment(id)
        .thenCompose(
            a -> {
              if (a.isEmpty()) {
                throw new UnknownConversationException(id);
              }
              return hooks.feedback(id, a.get().skill(), a.get(), 0, feedback);
            });
  }

  /**
   * Stores feedback on {@code c}, open or just closed (the WebSocket rates the chat it just ended).
   */
  public CompletableFuture<Feedback.Receipt> feedback(Conversation c, Feedback feedback) {
    // after the opening: the variant recorded is the one the conversation is served by, stored or
    // none
    return c.opening()
        .handle((v, e) -> null)
        .thenCompose(
            v -> hooks.feedback(c.id(), c.skill().name(), c.assignment(), c.episode(), feedback));
  }

  public Optional<Conversation> find(String id) {
    return Optional.ofNullable(open.get(id));
  }

  /**
   * @throws UnknownConversationException if {@code id} is not open
   */
  public Conversation get(String id) {
    Conversation c = open.get(id);
    if (c == null) {
      throw new UnknownConversationException(id);
    }
    return c;
  }

  /** Open conversations. */
  public int openCount() {
    return open.size();
  }

  /** Open conversations by transport. */
  public Map<String, Integer> openByTransport() {
    synchronized (open) {
      return Map.copyOf(openByTransport);
    }
  }

  /**
   * Why a new conversation would be refused now, or null when one would be accepted on every
   * transport: for {@code /health}.
   */
  public String refusing() {
    ServerConfig.Conversations limits = config.conversations();
    synchronized (open) {
      if (open.size() >= limits.maxOpen()) {
        return "refusing new conversations: "
            + open.size()
            + " open, conversations.maxOpen is "
            + limits.maxOpen();
      }
      List<String> full = new ArrayList<>();
      openByTransport.forEach(
          (t, n) -> {
            if (n >= limits.maxPerTransport()) {
              full.add(t);
            }
          });
      return full.isEmpty()
          ? null
          : "refusing new conversations on "
              + full
              + ": each holds its share of "
              + limits.maxPerTransport()
              + " (conversations.transportShare)";
    }
  }

  /** Checks a user turn's text: present and not too long. */
  public void validate(String text) {
    if (text == null) {
      throw new BadRequestException("missing_text", "message has no \"text\" field");
    }
    if (text.isBlank()) {
      throw new BadRequestException("missing_text", "message text is empty");
    }
    if (text.length() > config.agent().maxTextChars()) {
      throw new BadRequestException(
          "too_long",
          "message text has "
              + text.length()
              + " characters; at most "
              + config.agent().maxTextChars()
              + " are accepted");
    }
  }

  /**
   * Answers one user turn, after the conversation's earlier operations.
   *
   * @param endsEpisode the turn carries ParlAI's episode_done: answer it, then end the episode
   * @return fails with {@link ShuttingDownException} if the turn arrives after {@link
   *     #stopAccepting}; a turn accepted before is answered, even one queued behind others of its
   *     conversation
   */
  public CompletableFuture<Reply> turn(Conversation c, String text, boolean endsEpisode) {
    validate(text);
    if (stopping) {
      return CompletableFuture.failedFuture(new ShuttingDownException());
    }
    long received = System.nanoTime();
    return c.enqueue(
        config.http().maxPendingTurns(),
        synced(
            c,
            () -> {
              if (c.isClosed()) {
                return CompletableFuture.failedFuture(new UnknownConversationException(c.id()));
              }
              String context = latest(c.observe(text), config.agent().maxContextChars());
              Set<String> blocked =
                  config.agent().repeatBlocking() ? new HashSet<>(c.said()) : Set.of();
              SkillLeases.Lease
                  lease; // the Skill object this turn runs on, held until it is answered (hot
              // replace)
              try {
                lease = hooks.lease(c.skill().name(), c.assignment());
              } catch (RuntimeException e) {
                c.unobserve();
                return CompletableFuture.failedFuture(e);
              }
              TurnRequest req =
                  new TurnRequest(lease.skill(), context, blocked, config.agent().textCandidates());
              return scheduler
                  .submit(req)
                  .handle(
                      (result, error) -> {
                        lease.close();
                        if (error != null) {
                          c.unobserve();
                          throw error instanceof RuntimeException re
                              ? re
                              : new IllegalStateException(error);
                        }
                        Reply reply =
                            new Reply(
                                c.id(),
                                result.skill(),
                                result.text(),
                                result.candidates(),
                                result.scores(),
                                endsEpisode,
                                result.routing());
                        c.addReply(text, reply);
                        metrics.turn(result.skill(), c.transport(), System.nanoTime() - received);
                        hooks.answered(c.assignment(), System.nanoTime() - received);
                        if (endsEpisode) {
                          logEpisode(c);
                        }
                        return reply;
                      });
            },
            false));
  }

  /**
   * The latest {@code max} characters of a context, from the first word boundary after the cut (the
   * encoder keeps far fewer word pieces than that; the cut only bounds the tokenizer's work).
   */
  static String latest(String context, int max) {
    if (context.length() <= max) {
      return context;
    }
    int from = context.length() - max;
    for (int i = from; i < context.length(); i++) {
      if (Character.isWhitespace(context.charAt(i))) {
        return context.substring(i + 1);
      }
    }
    return context.substring(Character.isLowSurrogate(context.charAt(from)) ? from + 1 : from);
  }

  /** "[RESET]": clears the history (the finished part is logged as an episode) and says so. */
  public CompletableFuture<Reply> reset(Conversation c) {
    if (stopping) {
      return CompletableFuture.failedFuture(new ShuttingDownException());
    }
    return c.enqueue(
        config.http().maxPendingTurns(),
        synced(
            c,
            () -> {
              logEpisode(c);
              return CompletableFuture.completedFuture(
                  Reply.notice(c.id(), c.skill().name(), "[History Cleared]", false));
            },
            false));
  }

  /** "[DONE]": ends the episode (logged); the conversation stays open for a new episode. */
  public CompletableFuture<Reply> finish(Conversation c) {
    return c.enqueue(
        Integer.MAX_VALUE,
        synced(
            c,
            () -> {
              logEpisode(c);
              return CompletableFuture.completedFuture(
                  Reply.notice(c.id(), c.skill().name(), "", true));
            },
            false));
  }

  /**
   * Ends a conversation after its queued operations (a disconnect): its open episode is logged. A
   * shared conversation ends for every replica (its stored state is read, logged and removed). Not
   * to be confused with {@link #close()}, which shuts the whole service down.
   */
  public CompletableFuture<Void> endConversation(Conversation c) {
    return endConversation(c, true);
  }

  /**
   * Ends a conversation whose first operation was refused: as {@link
   * #endConversation(Conversation)}, except that a shared conversation is only let go here (what is
   * stored under its id, if anything, is another replica's).
   */
  public CompletableFuture<Void> abandon(Conversation c) {
    return endConversation(c, false);
  }

  /**
   * @param end false: a shared conversation is only let go here; it lives on in the store
   */
  private CompletableFuture<Void> endConversation(Conversation c, boolean end) {
    if (c.shared() && !end) {
      release(c);
      return c.idle().handle((v, e) -> (Void) null);
    }
    synchronized (open) {
      boolean held = open.remove(c.id(), c);
      if (held) {
        openByTransport.computeIfPresent(c.transport(), (t, n) -> n > 1 ? n - 1 : null);
      } else if (!c.shared()
          || c.isClosed()) { // closed already; a shared one may just have been let go of
        return CompletableFuture.completedFuture(null);
      }
    }
    closing.add(c);
    CompletableFuture<Void> closed =
        c.enqueue(
            Integer.MAX_VALUE,
            synced(
                c,
                () -> {
                  logEpisode(c);
                  c.markClosed();
                  return CompletableFuture.completedFuture((Void) null);
                },
                true));
    closed.whenComplete((v, e) -> closing.remove(c));
    return closed;
  }

  private void logEpisode(Conversation c) {
    Instant start = c.episodeStart();
    int episode = c.episode();
    List<Conversation.Exchange> done = c.endEpisode();
    if (!done.isEmpty()) {
      hooks.episodeEnded(c.id(), c.skill().name(), c.assignment(), episode, done.size());
    }
    if (log != null && !done.isEmpty()) {
      try {
        log.append(c, episode, done, start, Instant.now());
      } catch (RuntimeException e) {
        LOG.error("conversation {} episode {} could not be logged", c.id(), episode, e);
      }
    }
  }

  /**
   * Closes the conversations of every transport unused for longer than {@code idle} (clients that
   * went away or fell silent), logging their open episodes, and tells their transports ({@link
   * Conversation#onExpired}).
   *
   * @return how many were closed
   */
  public int closeIdle(Duration idle) {
    long now = System.nanoTime();
    int n = 0;
    for (Conversation c : new ArrayList<>(open.values())) {
      if (now - c.lastUsedNanos() > idle.toNanos() && !c.busy() && c.shared()) {
        release(c); // idle here; the store's own expiry (below) ends it when no replica used it
        continue;
      }
      if (now - c.lastUsedNanos() > idle.toNanos() && !c.busy()) {
        endConversation(c);
        metrics.error("conversation_idle");
        try {
          c.expired();
        } catch (RuntimeException e) {
          LOG.warn(
              "conversation {}: its transport failed to end it after expiry: {}",
              c.id(),
              e.toString());
        }
        n++;
      }
    }
    if (shared != null) {
      n += expireShared(idle);
    }
    return n;
  }

  /** Ends the shared conversations no replica used for {@code idle}; logs their open episodes. */
  private int expireShared(Duration idle) {
    List<SharedConversations.Stored> expired;
    try {
      expired = shared.expire(idle, 1000);
    } catch (java.sql.SQLException | RuntimeException e) {
      LOG.warn(
          "shared conversations: idle expiry failed (retried at the next sweep): {}",
          e.getMessage());
      return 0;
    }
    for (SharedConversations.Stored st : expired) {
      metrics.error("conversation_idle");
      Conversation held;
      synchronized (open) {
        held = open.get(st.id());
      }
      if (held != null) {
        release(held);
      }
      if (st.state() == null) {
        continue;
      }
      try {
        ConversationState s = st.state();
        Conversation c =
            new Conversation(
                st.id(),
                skills.get(s.skill()),
                s.persona(),
                s.transport(),
                config.agent().historySize(),
                config.agent().delimiter(),
                s.assignment());
        c.restore(s, st.version());
        logEpisode(c);
      } catch (RuntimeException e) {
        LOG.warn(
            "shared conversation {} expired; its open episode could not be logged: {}",
            st.id(),
            e.getMessage());
      }
    }
    return expired.size();
  }

  /**
   * Shutdown, first step: new conversations, turns and resets are refused with {@link
   * ShuttingDownException}; operations already accepted (turns queued behind others of their
   * conversation included) still run, and "[DONE]", closing and feedback are still taken.
   */
  public void stopAccepting() {
    synchronized (open) {
      stopping = true;
    }
  }

  /**
   * Waits until every operation accepted so far, in open and closing conversations, has finished,
   * or until {@code deadline} ({@link System#nanoTime()}).
   *
   * @return true if all finished in time
   */
  public boolean awaitIdle(long deadline) {
    while (true) {
      List<CompletableFuture<?>> busy = new ArrayList<>();
      for (Conversation c : open.values()) {
        busy.add(c.idle());
      }
      for (Conversation c : closing) {
        busy.add(c.idle());
      }
      busy.removeIf(CompletableFuture::isDone);
      if (busy.isEmpty()) {
        return true;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        LOG.warn(
            "{} conversations still had turns in flight when the shutdown grace ran out",
            busy.size());
        return false;
      }
      try {
        CompletableFuture.allOf(busy.toArray(CompletableFuture[]::new))
            .get(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } catch (Exception e) {
        // a failed or timed-out operation: look again (the loop ends at the deadline)
      }
    }
  }

  /**
   * Closes every conversation (shutdown): waits up to {@code grace} for their queued turns, logs
   * open episodes.
   */
  public void closeAll(Duration grace) {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (Conversation c : new ArrayList<>(open.values())) {
      all.add(endConversation(c, false)); // a shared conversation lives on for the other replicas
    }
    try {
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
          .get(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("not every conversation closed cleanly within {}: {}", grace, e.toString());
    }
  }

  @Override
  public void close() {
    closeAll(Duration.ofSeconds(config.shutdown().graceSeconds()));
  }

  /** The shared conversation store, or null. */
  public SharedConversations sharedStore() {
    return shared;
  }
}
