package io.adahit.server.admin;

import io.adahit.agents.errors.ConflictException;
import io.adahit.server.experiments.AbReport;
import io.adahit.server.experiments.Experiment;
import io.adahit.server.experiments.ExperimentService;
import io.adahit.server.skills.AdapterManager;
import io.adahit.server.skills.Skill;
import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the admin API does, whatever the transport (gRPC AdminService, HTTP {@code /admin/...}):
 * adapters (list, load, replace, unload) through {@link AdapterManager}, experiments (list, define,
 * stop, report) through {@link ExperimentService}. Blocking (files, encoding, database): the
 * transports run it on the admin executor, never on an event loop or transport thread.
 *
 * <pre>{@code
 * AdminOperations admin = new AdminOperations(adapters, experiments);
 * admin.replace("convai2", "convai2_v2");
 * AbReport r = admin.report("convai2-da");
 * }</pre>
 */
public final class AdminOperations {

  /**
   * A served skill or an experiment variant.
   *
   * @param experiment null for a served skill
   */
  public record AdapterView(AdapterManager.Info info, String experiment, String variant) {}

  private final AdapterManager adapters;
  private final ExperimentService experiments;
  private final DesiredState desired;

  /** Changes stay on this replica (no event store). */
  public AdminOperations(AdapterManager adapters, ExperimentService experiments) {
    this(adapters, experiments, null);
  }

  /**
   * @param desired where a change applied here is recorded for every replica to converge to, or
   *     null
   */
  public AdminOperations(
      AdapterManager adapters, ExperimentService experiments, DesiredState desired) {
    this.adapters = adapters;
    this.experiments = experiments;
    this.desired = desired;
  }

  /** A recording step; SQLException passes through to {@link #recorded}. */
  @FunctionalInterface
  private interface Record {
    void run(DesiredState d) throws SQLException;
  }

  /**
   * Records a change applied here for the other replicas.
   *
   * @throws io.adahit.server.events.EventStore.EventStoreException (UNAVAILABLE) if it cannot be
   *     recorded: the change is served here only, and the message says so
   */
  private void recorded(String what, Record r) {
    if (desired == null) {
      return;
    }
    try {
      r.run(desired);
    } catch (SQLException e) {
      throw new io.adahit.server.events.EventStore.EventStoreException(
          what
              + " is applied on this replica but could"
              + " not be recorded for the others (repeat the call once the database is back): "
              + e.getMessage(),
          e);
    }
  }

  /** This replica's desired-state status, or null without an event store. */
  public DesiredState.Status desiredStatus() {
    return desired == null ? null : desired.status();
  }

  /** Served skills, then every running experiment's prepared variants. */
  public List<AdapterView> adapters() {
    List<AdapterView> out = new ArrayList<>();
    adapters.list().forEach(i -> out.add(new AdapterView(i, null, null)));
    for (ExperimentService.Running r : experiments.list()) {
      for (Experiment.Variant v : r.experiment().variants()) {
        Skill s = r.variants().get(v.name());
        if (s != null) {
          out.add(
              new AdapterView(
                  adapters.info(r.experiment().skill(), s), r.experiment().name(), v.name()));
        }
      }
    }
    return out;
  }

  public AdapterView load(String skill, String dir) throws IOException {
    AdapterView v = view(adapters.load(skill, dir));
    recorded(
        "load '" + skill + "'", d -> d.recordAdapter(skill, dir, v.info().weightsFingerprint()));
    return v;
  }

  public AdapterView replace(String skill, String dir) throws IOException {
    AdapterView v = view(adapters.replace(skill, dir));
    recorded(
        "replace '" + skill + "'", d -> d.recordAdapter(skill, dir, v.info().weightsFingerprint()));
    return v;
  }

  /**
   * @throws IllegalStateException if an experiment runs on the skill (stop it first) or it is the
   *     default
   */
  public void unload(String skill) {
    for (ExperimentService.Running r : experiments.list()) {
      if (r.experiment().skill().equals(skill)) {
        throw new ConflictException(
            "unload '"
                + skill
                + "' refused: experiment '"
                + r.experiment().name()
                + "' runs on it; stop the experiment first");
      }
    }
    adapters.unload(skill);
    recorded("unload '" + skill + "'", d -> d.recordUnload(skill));
  }

  public List<ExperimentService.Running> experiments() {
    return experiments.list();
  }

  public ExperimentService.Running define(Experiment e) throws IOException {
    ExperimentService.Running r = experiments.define(e, "admin");
    recorded("experiment '" + e.name() + "'", d -> d.recordExperiment(e, true));
    return r;
  }

  public void stop(String name) {
    Experiment e =
        experiments.running(name).map(ExperimentService.Running::experiment).orElse(null);
    experiments.stop(name);
    if (e != null) {
      recorded("stop '" + name + "'", d -> d.recordExperiment(e, false));
    }
  }

  public AbReport report(String name) throws SQLException, IOException {
    return experiments.report(name);
  }

  private AdapterView view(Skill s) {
    return new AdapterView(adapters.info(s.name(), s), null, null);
  }
}
