package io.adahit.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adahit.server.events.EventDatabase;
import io.adahit.server.experiments.Experiment;
import io.adahit.server.experiments.ExperimentService;
import io.adahit.server.skills.AdapterManager;
import io.adahit.server.skills.Skill;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The desired state of admin changes, shared by every replica through the event store's database
 * (table {@code admin_desired}, migration V2): an adapter load, replace or unload, or an experiment
 * defined or stopped, is applied by the replica that took the call and then recorded once, as the
 * latest spec of its skill or experiment with a global version number. Every replica {@link
 * #converge}s: at start and every {@code admin.syncSeconds} it reads the specs newer than the
 * version it applied last and applies each (a spec it already serves, same adapter fingerprint or
 * same experiment definition, is skipped). Adapter directories are resolved inside each replica's
 * {@code skills.dir}, which must hold the same files on every replica (a shared read-only volume or
 * the image); an adapter whose fingerprint differs from the one recorded is reported in {@link
 * #status}, not silently served.
 *
 * <pre>{@code
 * DesiredState desired = new DesiredState(db, "replica-1", adapters, experiments, json, registry);
 * desired.converge();                       // at start, then on the admin executor every N seconds
 * desired.recordAdapter("convai2", "convai2_v2", fingerprint);   // after a replace succeeded here
 * }</pre>
 */
public final class DesiredState {

  private static final Logger LOG = LoggerFactory.getLogger(DesiredState.class);
  static final String ADAPTER = "adapter";
  static final String EXPERIMENT = "experiment";

  /** One recorded spec. */
  public record Change(String kind, String name, JsonNode spec, long version, String replica) {}

  /**
   * What this replica has applied.
   *
   * @param appliedVersion the newest desired-state version applied (0: none)
   * @param latestVersion the newest version recorded, as of the last read
   * @param problems spec (kind/name) → why this replica does not serve it as recorded
   */
  public record Status(
      String replica,
      long appliedVersion,
      long latestVersion,
      Map<String, String> problems,
      List<Map<String, Object>> served,
      List<String> experiments) {}

  private final EventDatabase db;
  private final String replica;
  private final AdapterManager adapters;
  private final ExperimentService experiments;
  private final ObjectMapper json;
  private final AtomicBoolean queued = new AtomicBoolean();
  private final Map<String, String> problems = new LinkedHashMap<>(); // guarded by this
  private long applied; // guarded by this
  private long latest; // guarded by this

  /**
   * @param registry where the gauges {@code adahit.admin.desired.applied.version} (the newest
   *     version applied here), {@code adahit.admin.desired.latest.version} and {@code
   *     adahit.admin.desired.problems} (specs not applied here) go; null for none
   */
  public DesiredState(
      EventDatabase db,
      String replica,
      AdapterManager adapters,
      ExperimentService experiments,
      ObjectMapper json,
      io.micrometer.core.instrument.MeterRegistry registry) {
    this.db = db;
    this.replica = replica;
    this.adapters = adapters;
    this.experiments = experiments;
    this.json = json;
    if (registry != null) {
      io.micrometer.core.instrument.Gauge.builder(
              "adahit.admin.desired.applied.version", this, DesiredState::appliedVersion)
          .description("newest desired-state version (admin changes) this replica applied")
          .register(registry);
      io.micrometer.core.instrument.Gauge.builder(
              "adahit.admin.desired.latest.version", this, DesiredState::latestVersion)
          .description("newest desired-state version recorded, as of this replica's last read")
          .register(registry);
      io.micrometer.core.instrument.Gauge.builder(
              "adahit.admin.desired.problems", this, DesiredState::problemCount)
          .description(
              "desired-state specs this replica could not apply (GET /admin/desired says why)")
          .register(registry);
    }
  }

  // ----- recording (the replica that took the admin call, after it applied the change) -----

  /** Records that {@code skill} is served from {@code dir} with the weights {@code fingerprint}. */
  public void recordAdapter(String skill, String dir, String fingerprint) throws SQLException {
    ObjectNode spec = json.createObjectNode();
    spec.put("dir", dir);
    spec.put("fingerprint", fingerprint);
    record(ADAPTER, skill, spec);
  }

  /** Records that {@code skill} is not served. */
  public void recordUnload(String skill) throws SQLException {
    ObjectNode spec = json.createObjectNode();
    spec.put("unloaded", true);
    record(ADAPTER, skill, spec);
  }

  /** Records an experiment's definition, running or stopped. */
  public void recordExperiment(Experiment e, boolean active) throws SQLException {
    ObjectNode spec = json.createObjectNode();
    spec.set("definition", json.valueToTree(e));
    spec.put("active", active);
    record(EXPERIMENT, e.name(), spec);
  }

  /**
   * Upserts the spec with the next version (max + 1, in one transaction). Two replicas recording at
   * once may pick the same number: the unique index refuses the second, which retries.
   */
  private void record(String kind, String name, JsonNode spec) throws SQLException {
    String text = spec.toString();
    SQLException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      try (Connection c = db.connect()) {
        try {
          long next;
          try (PreparedStatement s =
                  c.prepareStatement("SELECT COALESCE(MAX(version), 0) + 1 FROM admin_desired");
              ResultSet r = s.executeQuery()) {
            r.next();
            next = r.getLong(1);
          }
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO admin_desired (kind, name, spec, version, replica,"
                      + " updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, name) DO UPDATE SET spec = excluded.spec,"
                      + " version = excluded.version, replica = excluded.replica, updated_at = excluded.updated_at")) {
            s.setString(1, kind);
            s.setString(2, name);
            s.setString(3, text);
            s.setLong(4, next);
            s.setString(5, replica);
            s.setLong(6, System.currentTimeMillis());
            s.executeUpdate();
          }
          c.commit();
          LOG.info(
              "desired state v{}: {} '{}' = {} (every replica converges to it)",
              next,
              kind,
              name,
              text);
          return;
        } catch (SQLException e) {
          c.rollback();
          if (EventDatabase.isConnectionFailure(e)) {
            throw e;
          }
          last = e; // most likely the version taken by another replica at the same moment
        }
      }
    }
    throw new SQLException(
        "desired state: "
            + kind
            + " '"
            + name
            + "' not recorded after 5 attempts: "
            + last.getMessage(),
        last);
  }

  // ----- converging -----

  /** Queues {@link #converge} on {@code executor} unless one is queued already (the poller). */
  public void convergeOn(Executor executor) {
    if (!queued.compareAndSet(false, true)) {
      return;
    }
    try {
      executor.execute(
          () -> {
            queued.set(false);
            converge();
          });
    } catch (RejectedExecutionException e) {
      queued.set(false); // shutting down, or the admin queue is full: the next tick tries again
    }
  }

  /**
   * Applies every spec recorded since the last version applied, in version order. A spec that fails
   * is logged and listed in {@link #status}, and tried again at every sync until it applies (an
   * adapter directory that reached the shared volume late) or is replaced; the others still apply.
   * Blocking (adapter loads encode pools): run it on the admin executor, one at a time with admin
   * calls.
   *
   * @return how many specs were read
   */
  public synchronized int converge() {
    List<Change> changes;
    try {
      changes = since(applied, problems.keySet());
    } catch (SQLException e) {
      LOG.warn(
          "desired state: cannot read {} (retried at the next sync): {}",
          db.redacted(),
          e.getMessage());
      return 0;
    }
    for (Change ch : changes) {
      String key = ch.kind() + "/" + ch.name();
      try {
        String done = apply(ch);
        problems.remove(key);
        if (done != null) {
          LOG.info(
              "desired state v{} from replica '{}' applied: {}", ch.version(), ch.replica(), done);
        }
      } catch (Exception e) {
        String why = "v" + ch.version() + ": " + e.getMessage();
        if (!why.equals(problems.put(key, why))) { // once per reason, not at every sync
          LOG.error(
              "desired state v{}: {} not applied on this replica (retried at every sync): {}",
              ch.version(),
              key,
              e.getMessage());
        }
      }
      applied = Math.max(applied, ch.version());
    }
    latest = Math.max(latest, applied);
    return changes.size();
  }

  /**
   * Specs newer than {@code version}, and those of {@code retry} (kind/name) that failed before; in
   * version order.
   */
  private List<Change> since(long version, java.util.Set<String> retry) throws SQLException {
    List<Change> out = new ArrayList<>();
    try (Connection c = db.connect()) {
      try (PreparedStatement s =
          c.prepareStatement(
              "SELECT kind, name, spec, version, replica FROM admin_desired"
                  + " WHERE version > ? ORDER BY version")) {
        s.setLong(
            1,
            retry.isEmpty()
                ? version
                : 0); // the table holds one row per skill or experiment: small
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            if (r.getLong(4) <= version && !retry.contains(r.getString(1) + "/" + r.getString(2))) {
              continue;
            }
            try {
              out.add(
                  new Change(
                      r.getString(1),
                      r.getString(2),
                      json.readTree(r.getString(3)),
                      r.getLong(4),
                      r.getString(5)));
            } catch (java.io.IOException e) {
              throw new SQLException(
                  "admin_desired " + r.getString(1) + "/" + r.getString(2) + ": unreadable spec",
                  e);
            }
          }
        }
        try (PreparedStatement s2 =
                c.prepareStatement("SELECT COALESCE(MAX(version), 0) FROM admin_desired");
            ResultSet r = s2.executeQuery()) {
          r.next();
          latest = r.getLong(1);
        }
      }
      c.commit();
    }
    return out;
  }

  /** Applies one spec; what it did, or null when this replica already served it. */
  private String apply(Change ch) throws Exception {
    if (ch.kind().equals(ADAPTER)) {
      return applyAdapter(ch.name(), ch.spec());
    }
    if (ch.kind().equals(EXPERIMENT)) {
      Experiment e = json.treeToValue(ch.spec().get("definition"), Experiment.class);
      boolean active = ch.spec().path("active").asBoolean();
      Optional<ExperimentService.Running> running = experiments.running(e.name());
      if (!active) {
        if (running.isEmpty()) {
          return null;
        }
        experiments.stop(e.name());
        return "experiment '" + e.name() + "' stopped";
      }
      if (running.isPresent() && running.get().experiment().equals(e)) {
        return null;
      }
      experiments.define(e, "admin");
      return "experiment '" + e.name() + "' running";
    }
    throw new IllegalStateException("unknown desired-state kind '" + ch.kind() + "'");
  }

  private String applyAdapter(String skill, JsonNode spec) throws Exception {
    boolean served = adapters.catalog().contains(skill);
    if (spec.path("unloaded").asBoolean()) {
      if (!served) {
        return null;
      }
      for (ExperimentService.Running r :
          experiments.list()) { // as the admin call: never under an experiment
        if (r.experiment().skill().equals(skill)) {
          throw new io.adahit.agents.errors.ConflictException(
              "unload '"
                  + skill
                  + "' not applied: experiment '"
                  + r.experiment().name()
                  + "' runs on it on this replica");
        }
      }
      adapters.unload(skill);
      return "skill '" + skill + "' unloaded";
    }
    String dir = spec.path("dir").asText();
    String want = spec.path("fingerprint").asText();
    if (served) {
      AdapterManager.Info now = adapters.info(skill, adapters.catalog().get(skill));
      if (now.weightsFingerprint().equals(want)) {
        return null;
      }
    }
    Skill s = served ? adapters.replace(skill, dir) : adapters.load(skill, dir);
    String got = adapters.info(skill, s).weightsFingerprint();
    if (!got.equals(want)) {
      throw new IllegalStateException(
          "skill '"
              + skill
              + "' loaded from "
              + dir
              + " has weights "
              + got
              + ", but the replica that recorded it served "
              + want
              + ": skills.dir differs between replicas");
    }
    return "skill '"
        + skill
        + "' "
        + (served ? "replaced" : "loaded")
        + " from "
        + dir
        + " ("
        + got
        + ")";
  }

  /** What this replica applied and serves (the admin API's GET /admin/desired). */
  public synchronized Status status() {
    List<Map<String, Object>> served = new ArrayList<>();
    for (AdapterManager.Info i : adapters.list()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("skill", i.skill());
      m.put("dir", i.dir());
      m.put("kind", i.kind());
      m.put("fingerprint", i.weightsFingerprint());
      served.add(m);
    }
    List<String> running =
        experiments.list().stream().map(r -> r.experiment().name()).sorted().toList();
    return new Status(replica, applied, latest, Map.copyOf(problems), served, running);
  }

  /** The newest version applied here. */
  public synchronized long appliedVersion() {
    return applied;
  }

  synchronized long latestVersion() {
    return latest;
  }

  synchronized int problemCount() {
    return problems.size();
  }
}
