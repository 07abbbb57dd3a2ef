package io.adahit.server.chat;

import io.adahit.agents.dialogue.DialogueHistory;
import io.adahit.server.experiments.Assignment;
import io.adahit.server.skills.Skill;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One open conversation: bound to a skill for its whole life, with the bot's persona (persona
 * skills) and ParlAI's history. Its operations run one after another, in arrival order, however
 * many the client sends at once (a per-conversation chain of futures); at most {@code maxPending}
 * may wait.
 */
public final class Conversation {

  /** One exchange of the current episode, for the conversation log. */
  public record Exchange(String user, Reply reply) {}

  private final String id;
  private final Skill skill;
  private volatile Assignment assignment;
  private volatile Runnable onExpired = () -> {};
  private volatile CompletableFuture<?> opening = CompletableFuture.completedFuture(null);
  private final List<String> persona;
  private final String transport;
  private final DialogueHistory history;
  private final int historySize;
  private final String delimiter;
  private final List<String> turns = new ArrayList<>();
  private final List<Exchange> exchanges = new ArrayList<>();
  private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);
  private int pending;
  private int episode;
  private Instant episodeStart = Instant.now();
  private volatile long lastUsedNanos = System.nanoTime();
  private volatile boolean closed;
  private boolean shared; // its state lives in the database (SharedConversations)
  private long storedVersion; // the version last read or written there; 0: not stored yet
  private long loadedNanos =
      -1; // just read from the store (taking that long): the next operation need not
  private Runnable
      whenIdle; // run when its last queued operation finished (a shared conversation's release)

  /**
   * @param assignment the A/B variant serving it, or null
   */
  Conversation(
      String id,
      Skill skill,
      List<String> persona,
      String transport,
      int historySize,
      String delimiter,
      Assignment assignment) {
    this.id = id;
    this.skill = skill;
    this.assignment = assignment;
    this.persona = List.copyOf(persona);
    this.transport = transport;
    this.historySize = historySize;
    this.delimiter = delimiter;
    this.history = new DialogueHistory(historySize, delimiter);
  }

  public String id() {
    return id;
  }

  /**
   * The skill the conversation was opened on. Turns run on the Skill object served under its name
   * when they run (an adapter may have been replaced since), or on the variant of {@link
   * #assignment}.
   */
  public Skill skill() {
    return skill;
  }

  /**
   * The A/B experiment variant serving this conversation, or null when it is in none. Read it after
   * the conversation's first operation ({@link ChatService#started}): a conversation whose
   * assignment could not be stored leaves the experiment then and is served outside it.
   */
  public Assignment assignment() {
    return assignment;
  }

  /**
   * Completes once the conversation's opening (its assignment's storage) is over, successful or
   * not.
   */
  CompletableFuture<?> opening() {
    return opening;
  }

  void opening(CompletableFuture<?> f) {
    opening = f;
  }

  /** Its assignment could not be stored: from now on it is in no experiment. */
  void leaveExperiment() {
    assignment = null;
  }

  /**
   * What to do when the conversation is closed for being idle ({@code
   * conversations.idleTimeoutSeconds}): the transport ends its connection or stream. Runs on the
   * housekeeping thread.
   */
  public void onExpired(Runnable action) {
    onExpired = action == null ? () -> {} : action;
  }

  void expired() {
    onExpired.run();
  }

  /** The bot's persona sentences (empty for a skill without personas). */
  public List<String> persona() {
    return persona;
  }

  public String transport() {
    return transport;
  }

  /** 0-based index of the current episode. */
  public synchronized int episode() {
    return episode;
  }

  public boolean isClosed() {
    return closed;
  }

  long lastUsedNanos() {
    return lastUsedNanos;
  }

  /** An operation is queued or running (a turn waiting for its reply is not idle). */
  synchronized boolean busy() {
    return pending > 0;
  }

  void markClosed() {
    closed = true;
  }

  /**
   * Runs {@code work} after every operation queued before it.
   *
   * @throws BadRequestException (in the future) if {@code maxPending} operations already wait
   */
  synchronized <T> CompletableFuture<T> enqueue(
      int maxPending, Supplier<CompletableFuture<T>> work) {
    lastUsedNanos = System.nanoTime();
    if (pending >= maxPending) {
      return CompletableFuture.failedFuture(
          new BadRequestException(
              "too_many_pending",
              "too many turns waiting in this conversation (at most "
                  + maxPending
                  + "); wait for the replies"));
    }
    pending++;
    CompletableFuture<T> next = tail.handle((x, e) -> null).thenCompose(x -> work.get());
    tail =
        next.whenComplete(
            (x, e) -> {
              Runnable idle;
              synchronized (this) {
                pending--;
                idle = pending == 0 ? whenIdle : null;
              }
              if (idle != null) {
                idle.run();
              }
            });
    return next;
  }

  /** Completes when every operation queued so far has finished (however it ended). */
  synchronized CompletableFuture<?> idle() {
    return tail;
  }

  // ----- state changes, called only from operations run through enqueue -----

  /**
   * Adds the user's turn; the first turn of an episode carries the persona lines. Returns the
   * context.
   */
  synchronized String observe(String text) {
    String observed =
        turns.isEmpty() && !persona.isEmpty() ? personaLines() + delimiter + text : text;
    history.observe(observed);
    turns.add(text);
    return history.context();
  }

  /** Undoes the last {@link #observe} (its turn got no reply). */
  synchronized void unobserve() {
    turns.remove(turns.size() - 1);
    history.reset();
    for (int i = 0; i < turns.size(); i++) {
      String t = turns.get(i);
      if (i % 2 == 0) {
        history.observe(i == 0 && !persona.isEmpty() ? personaLines() + delimiter + t : t);
      } else {
        history.addReply(t);
      }
    }
  }

  synchronized void addReply(String user, Reply reply) {
    history.addReply(reply.text());
    turns.add(reply.text());
    exchanges.add(new Exchange(user, reply));
  }

  /** Texts already said in this episode, by either side (what repeat blocking refuses). */
  synchronized List<String> said() {
    return List.copyOf(turns);
  }

  /** Ends the episode: returns its exchanges (for the log) and clears the history. */
  synchronized List<Exchange> endEpisode() {
    List<Exchange> done = List.copyOf(exchanges);
    exchanges.clear();
    turns.clear();
    history.reset();
    episode++;
    episodeStart = Instant.now();
    return done;
  }

  synchronized Instant episodeStart() {
    return episodeStart;
  }

  // ----- shared conversations (conversations.shared) -----

  /** Its state lives in the database: every operation reads it first and writes it after. */
  public synchronized boolean shared() {
    return shared;
  }

  synchronized void share(long version, Runnable whenIdle) {
    shared = true;
    storedVersion = version;
    this.whenIdle = whenIdle;
  }

  /** The stored version this object holds (0: never stored). */
  synchronized long storedVersion() {
    return storedVersion;
  }

  synchronized void storedVersion(long version) {
    storedVersion = version;
  }

  /** It was just read from the store, taking {@code nanos}. */
  synchronized void loaded(long nanos) {
    loadedNanos = nanos;
  }

  /**
   * The time of the read that just restored it (once), or -1 when the next operation must read it.
   */
  synchronized long takeLoaded() {
    long n = loadedNanos;
    loadedNanos = -1;
    return n;
  }

  /** The state to store: persona, variant, episode and its exchanges. */
  synchronized ConversationState state() {
    return new ConversationState(
        skill.name(),
        persona,
        transport,
        assignment,
        episode,
        episodeStart.toEpochMilli(),
        exchanges.stream().map(ConversationState.StoredExchange::of).toList());
  }

  /**
   * Replaces the episode, its exchanges and the history with the stored state (turns taken on other
   * replicas); the skill and persona are fixed for the conversation's life.
   */
  synchronized void restore(ConversationState s, long version) {
    exchanges.clear();
    turns.clear();
    history.reset();
    for (ConversationState.StoredExchange x : s.exchanges()) {
      Exchange e = x.toExchange(id);
      String text = e.user();
      history.observe(
          turns.isEmpty() && !persona.isEmpty() ? personaLines() + delimiter + text : text);
      turns.add(text);
      history.addReply(e.reply().text());
      turns.add(e.reply().text());
      exchanges.add(e);
    }
    episode = s.episode();
    episodeStart = Instant.ofEpochMilli(s.episodeStartMillis());
    assignment = s.assignment();
    storedVersion = version;
  }

  /**
   * Drops the current episode's exchanges and history without logging them (a write that failed).
   */
  synchronized void forgetEpisode() {
    exchanges.clear();
    turns.clear();
    history.reset();
  }

  /** The persona as ParlAI's teachers give it: one {@code your persona:} line per sentence. */
  public String personaLines() {
    StringBuilder b = new StringBuilder();
    for (String p : persona) {
      if (b.length() > 0) {
        b.append('\n');
      }
      b.append("your persona: ").append(p);
    }
    return b.toString();
  }

  int historySize() {
    return historySize;
  }
}
