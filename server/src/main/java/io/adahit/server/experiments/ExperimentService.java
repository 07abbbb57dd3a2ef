package io.adahit.server.experiments;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.agents.errors.ConflictException;
import io.adahit.server.events.AssignmentRecord;
import io.adahit.server.events.EpisodeRecord;
import io.adahit.server.events.EventStore;
import io.adahit.server.events.FeedbackRecord;
import io.adahit.server.events.StoredExperiment;
import io.adahit.server.skills.AdapterManager;
import io.adahit.server.skills.Skill;
import io.adahit.server.skills.SkillLeases;
import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running A/B experiments, at most one per skill: assigns each new conversation on an
 * experiment's skill to a variant ({@link Experiment#assign}), serves its turns with that variant's
 * adapters, and records assignments, episode lengths and feedback in the {@link EventStore} and
 * per-variant meters ({@link ExperimentMetrics}). A variant's adapter is validated and its
 * candidate pool encoded (through {@link AdapterManager}) before the experiment starts; redefining
 * or stopping an experiment retires its variants once their turns are done. Conversations keep the
 * variant they were assigned; after their experiment stops they are served by the skill as served,
 * and their later episodes are recorded without a variant.
 *
 * <pre>{@code
 * ExperimentService ab = new ExperimentService(adapters, store, new ExperimentMetrics(registry), json);
 * ab.start(config.experiments());
 * ab.define(new Experiment("convai2-da", "convai2", variants), "admin");
 * AbReport report = ab.report("convai2-da");
 * }</pre>
 */
public final class ExperimentService implements ConversationHooks, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ExperimentService.class);

  /**
   * An experiment being served.
   *
   * @param source "config" or "admin"
   * @param variants variant name → its prepared skill (every variant that names an adapter
   *     directory); a variant without one, served by the skill as served, is absent
   */
  public record Running(Experiment experiment, String source, Map<String, Skill> variants) {}

  private final AdapterManager adapters;
  private final EventStore events;
  private final ExperimentMetrics metrics;
  private final ObjectMapper json;
  private final Object changes = new Object();
  private volatile Map<String, Running> bySkill = Map.of();

  /**
   * @param events null when the server has no event store
   */
  public ExperimentService(
      AdapterManager adapters, EventStore events, ExperimentMetrics metrics, ObjectMapper json) {
    this.adapters = adapters;
    this.events = events;
    this.metrics = metrics;
    this.json = json;
  }

  /**
   * Starts the configured experiments (a bad one fails the start, with its reason), then the ones
   * defined through the admin API and stored as running (a bad one is skipped with a warning).
   */
  public void start(List<Experiment> configured) throws IOException, SQLException {
    for (Experiment e : configured) {
      define(e, "config");
    }
    if (events == null) {
      return;
    }
    for (StoredExperiment s : events.queries().experiments()) {
      if (!s.active() || !s.source().equals("admin") || running(s.name()).isPresent()) {
        continue;
      }
      try {
        define(json.readValue(s.definition(), Experiment.class), "admin");
      } catch (IOException | RuntimeException e) {
        LOG.warn("stored experiment '{}' not restarted: {}", s.name(), e.getMessage());
      }
    }
  }

  /**
   * Starts {@code e}, or redefines the running experiment of that name: loads its variants, stores
   * the definition, then switches new conversations to it.
   *
   * @throws IllegalStateException if another experiment runs on the skill
   * @throws io.adahit.server.skills.AdapterRefusedException if a variant's adapter is refused
   */
  public Running define(Experiment e, String source) throws IOException {
    synchronized (changes) {
      Skill skill = adapters.catalog().get(e.skill());
      if (skill.isRouter()) {
        throw new IllegalArgumentException(
            "experiment '"
                + e.name()
                + "': skill '"
                + e.skill()
                + "' is a router; experiments compare adapters of one skill");
      }
      Running other = bySkill.get(e.skill());
      if (other != null && !other.experiment().name().equals(e.name())) {
        throw new ConflictException(
            "experiment '"
                + e.name()
                + "': skill '"
                + e.skill()
                + "' already runs"
                + " experiment '"
                + other.experiment().name()
                + "'; stop it first");
      }
      Map<String, Skill> prepared = new LinkedHashMap<>();
      try {
        for (Experiment.Variant v : e.variants()) {
          // a named directory is always a variant of its own, even the one the skill serves now: a
          // later
          // replace of the skill must not change what this variant serves
          if (v.adapter() != null) {
            prepared.put(
                v.name(),
                adapters.prepareVariant(
                    skill,
                    v.adapter(),
                    "experiment '" + e.name() + "' variant '" + v.name() + "'"));
          }
        }
        if (events != null) {
          events
              .saveExperiment(e.name(), e.skill(), json.writeValueAsString(e), source, true)
              .join();
        }
      } catch (IOException | RuntimeException ex) {
        prepared.values().forEach(adapters::retire);
        throw ex;
      }
      Running now = new Running(e, source, Collections.unmodifiableMap(prepared));
      Map<String, Running> next = new TreeMap<>(bySkill);
      Running old = remove(next, e.name());
      next.put(e.skill(), now);
      bySkill = Collections.unmodifiableMap(next);
      if (old != null) {
        old.variants().values().forEach(adapters::retire);
      }
      LOG.info(
          "experiment '{}' on skill '{}' running ({}): variants {}",
          e.name(),
          e.skill(),
          source,
          e.variants().stream()
              .map(
                  v ->
                      v.name()
                          + "="
                          + (v.adapter() == null ? "(as served)" : v.adapter())
                          + "x"
                          + v.weight())
              .toList());
      return now;
    }
  }

  /**
   * Stops an experiment: new conversations on its skill are in none; its variants are freed once
   * their turns in flight are done.
   *
   * @throws UnknownExperimentException if it is not running
   */
  public void stop(String name) {
    synchronized (changes) {
      Map<String, Running> next = new TreeMap<>(bySkill);
      Running old = remove(next, name);
      if (old == null) {
        throw new UnknownExperimentException(name, names());
      }
      if (events != null) {
        try {
          events
              .saveExperiment(
                  name,
                  old.experiment().skill(),
                  json.writeValueAsString(old.experiment()),
                  old.source(),
                  false)
              .join();
        } catch (JsonProcessingException e) {
          throw new IllegalStateException(e);
        }
      }
      bySkill = Collections.unmodifiableMap(next);
      old.variants().values().forEach(adapters::retire);
      LOG.info("experiment '{}' stopped", name);
    }
  }

  private static Running remove(Map<String, Running> map, String name) {
    for (Map.Entry<String, Running> en : map.entrySet()) {
      if (en.getValue().experiment().name().equals(name)) {
        return map.remove(en.getKey());
      }
    }
    return null;
  }

  /** Running experiments, by skill. */
  public List<Running> list() {
    return List.copyOf(bySkill.values());
  }

  public Optional<Running> running(String name) {
    return bySkill.values().stream().filter(r -> r.experiment().name().equals(name)).findFirst();
  }

  private List<String> names() {
    List<String> out = new ArrayList<>();
    bySkill.values().forEach(r -> out.add(r.experiment().name()));
    return out;
  }

  /**
   * The report of a running or stored experiment, from the events stored so far.
   *
   * @throws UnknownExperimentException if it is neither running nor stored
   * @throws IllegalStateException without an event store
   */
  public AbReport report(String name) throws SQLException, IOException {
    if (events == null) {
      throw new ConflictException("no event store (events.url is null): nothing to report");
    }
    Experiment e = running(name).map(Running::experiment).orElse(null);
    if (e == null) {
      Optional<StoredExperiment> stored = events.queries().experiment(name);
      if (stored.isEmpty()) {
        List<String> known = new ArrayList<>();
        events.queries().experiments().forEach(s -> known.add(s.name()));
        throw new UnknownExperimentException(name, known);
      }
      e = json.readValue(stored.get().definition(), Experiment.class);
    }
    return AbReport.compute(e, events.queries().counts(name));
  }

  // ----- ConversationHooks -----

  @Override
  public Assignment assign(String conversationId, String skill) {
    Running r = bySkill.get(skill);
    if (r == null) {
      return null;
    }
    return new Assignment(
        r.experiment().name(), r.experiment().assign(conversationId).name(), skill);
  }

  /**
   * Stores the assignment; the conversation counts in its variant's meters only once it is stored.
   * If it cannot be stored the conversation is served outside the experiment (its turns, episodes
   * and feedback carry no variant), so no variant is credited with a chat the store does not know.
   */
  @Override
  public CompletableFuture<Boolean> opened(String conversationId, Assignment a, String transport) {
    if (a == null) {
      return CompletableFuture.completedFuture(true);
    }
    if (events == null) {
      metrics.conversation(a);
      return CompletableFuture.completedFuture(true);
    }
    CompletableFuture<Boolean> stored;
    try {
      stored =
          events
              .recordAssignment(
                  new AssignmentRecord(
                      conversationId, a.experiment(), a.variant(), a.skill(), transport))
              .thenApply(isNew -> true);
    } catch (RuntimeException e) {
      stored = CompletableFuture.failedFuture(e);
    }
    return stored.handle(
        (ok, e) -> {
          if (e != null) {
            LOG.error(
                "assignment of conversation {} to {}/{} not stored: {}; it is served outside the experiment",
                conversationId,
                a.experiment(),
                a.variant(),
                e.getMessage());
            return false;
          }
          metrics.conversation(a);
          return true;
        });
  }

  @Override
  public SkillLeases.Lease lease(String skill, Assignment a) {
    if (a == null) {
      return adapters.lease(skill);
    }
    return adapters
        .leases()
        .acquire(
            () -> {
              Running r = bySkill.get(skill);
              Skill v =
                  r != null && r.experiment().name().equals(a.experiment())
                      ? r.variants().get(a.variant())
                      : null;
              return v != null ? v : adapters.catalog().get(skill);
            });
  }

  private boolean isRunning(Assignment a) {
    Running r = a == null ? null : bySkill.get(a.skill());
    return r != null && r.experiment().name().equals(a.experiment());
  }

  @Override
  public void answered(Assignment a, long nanos) {
    if (isRunning(a)) {
      metrics.turn(a, nanos);
    }
  }

  @Override
  public void episodeEnded(
      String conversationId, String skill, Assignment a, int episode, int turns) {
    if (!isRunning(a)) {
      return;
    }
    metrics.episode(a, turns);
    if (events != null) {
      events
          .recordEpisode(
              new EpisodeRecord(conversationId, a.experiment(), a.variant(), skill, episode, turns))
          .exceptionally(
              e -> {
                LOG.error(
                    "episode {} of conversation {} not stored: {}",
                    episode,
                    conversationId,
                    e.getMessage());
                return null;
              });
    }
  }

  @Override
  public CompletableFuture<Feedback.Receipt> feedback(
      String conversationId, String skill, Assignment a, int episode, Feedback f) {
    if (events == null) {
      return CompletableFuture.failedFuture(
          new EventStore.EventStoreException(
              "feedback is not stored: this server has no event store (set events.url)"));
    }
    FeedbackRecord record =
        new FeedbackRecord(
            conversationId,
            a == null ? null : a.experiment(),
            a == null ? null : a.variant(),
            skill,
            episode,
            f.turn(),
            f.rating(),
            f.thumbsUp());
    return events
        .recordFeedback(record)
        .thenApply(
            id -> {
              if (a != null) {
                if (f.rating() != null) {
                  metrics.rating(a, f.rating());
                }
                if (f.thumbsUp() != null) {
                  metrics.thumbs(a, f.thumbsUp());
                }
              }
              return new Feedback.Receipt(id, record.experiment(), record.variant());
            });
  }

  @Override
  public CompletableFuture<Optional<Assignment>> storedAssignment(String conversationId) {
    if (events == null) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return events
        .findAssignments(conversationId)
        .thenApply(
            list ->
                list.stream()
                    .findFirst()
                    .map(r -> new Assignment(r.experiment(), r.variant(), r.skill())));
  }

  /** Retires every variant (shutdown). */
  @Override
  public void close() {
    Map<String, Running> all;
    synchronized (changes) {
      all = bySkill;
      bySkill = Map.of();
    }
    all.values().forEach(r -> r.variants().values().forEach(adapters::retire));
  }
}
