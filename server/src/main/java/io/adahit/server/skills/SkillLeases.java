package io.adahit.server.skills;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reference counts on {@link Skill} objects, so an adapter can be replaced or unloaded while turns
 * run on it: a turn {@link #acquire acquires} the skill it runs with and closes the lease when it
 * is answered; a replaced skill is {@link #retire retired} (no new leases), and its resources are
 * freed only once its last lease is closed and a grace period has passed. A router skill's turn
 * holds two leases: the caller's on the router, and the scheduler's on the skill it was routed to,
 * for the batch.
 *
 * <pre>{@code
 * try (SkillLeases.Lease lease = leases.acquire(() -> catalog.get("convai2"))) {
 *   scheduler.submit(new TurnRequest(lease.skill(), context, blocked, 10)).join();
 * }
 * leases.retire(oldSkill, () -> oldSkill.candidates().close());   // freed once unused
 * }</pre>
 */
public final class SkillLeases implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SkillLeases.class);

  /** A skill held by one turn; closing it twice is harmless. */
  public interface Lease extends AutoCloseable {
    Skill skill();

    @Override
    void close();
  }

  private static final class State {
    int count;
    boolean retired;
    boolean freed;
    Runnable free;
  }

  private final Duration grace;
  private final ScheduledExecutorService scheduler;
  private final Map<Skill, State> states = new IdentityHashMap<>();
  private boolean closed;

  /**
   * @param grace how long a retired skill stays after its last lease closed
   * @param scheduler runs the delayed frees (the server's housekeeping thread)
   */
  public SkillLeases(Duration grace, ScheduledExecutorService scheduler) {
    this.grace = grace;
    this.scheduler = scheduler;
  }

  /**
   * Leases the skill {@code current} returns now. {@code current} is asked under this object's
   * lock, which {@link #retire} also takes: callers publish a successor before retiring the old
   * skill, so the skill read here is either still unretired (and counted before retire can free it)
   * or already replaced. Read outside the lock, a skill retired and freed in between (grace 0)
   * would find no state left and be leased after its pool was closed. {@code current} must be cheap
   * and must not block.
   *
   * @throws RuntimeException whatever {@code current} throws (e.g. an unknown skill)
   */
  public Lease acquire(Supplier<Skill> current) {
    for (int attempt = 0; ; attempt++) {
      Skill s;
      synchronized (this) {
        s = current.get();
        State st = states.computeIfAbsent(s, k -> new State());
        if (!st.retired) {
          st.count++;
          return new Held(s, st);
        }
      }
      if (attempt >= 1000) {
        throw new IllegalStateException(
            "skill '" + s.name() + "' is retired but still returned as current");
      }
      Thread.onSpinWait();
    }
  }

  /**
   * No new leases on {@code skill}; {@code free} runs once its leases are all closed and the grace
   * period has passed. Retiring a skill twice keeps the first {@code free}.
   */
  public void retire(Skill skill, Runnable free) {
    synchronized (this) {
      State st = states.computeIfAbsent(skill, k -> new State());
      if (st.retired) {
        return;
      }
      st.retired = true;
      st.free = free;
      if (st.count > 0) {
        LOG.info("skill '{}' retired; freed after its {} turns in flight", skill.name(), st.count);
        return;
      }
    }
    scheduleFree(skill);
  }

  /** Leases open on {@code skill} now. */
  public synchronized int inFlight(Skill skill) {
    State st = states.get(skill);
    return st == null ? 0 : st.count;
  }

  /** Retired skills not freed yet. */
  public synchronized int retiring() {
    return (int) states.values().stream().filter(s -> s.retired && !s.freed).count();
  }

  private void release(Skill skill, State st) {
    synchronized (this) {
      st.count--;
      if (!st.retired || st.count > 0) {
        return;
      }
    }
    scheduleFree(skill);
  }

  private void scheduleFree(Skill skill) {
    boolean now;
    synchronized (this) {
      now = closed;
    }
    if (!now) {
      try {
        scheduler.schedule(() -> free(skill), grace.toMillis(), TimeUnit.MILLISECONDS);
        return;
      } catch (RejectedExecutionException e) {
        // the scheduler is shutting down: free now
      }
    }
    free(skill);
  }

  private void free(Skill skill) {
    Runnable free;
    synchronized (this) {
      State st = states.get(skill);
      if (st == null || st.freed || st.count > 0) {
        return;
      }
      st.freed = true;
      states.remove(skill);
      free = st.free;
    }
    try {
      free.run();
      LOG.info("retired skill '{}' freed", skill.name());
    } catch (RuntimeException e) {
      LOG.error("freeing retired skill '{}' failed", skill.name(), e);
    }
  }

  /**
   * Frees every retired skill now, in use or not (shutdown, after in-flight turns were drained).
   */
  @Override
  public void close() {
    List<Skill> retired = new ArrayList<>();
    synchronized (this) {
      closed = true;
      states.forEach(
          (s, st) -> {
            if (st.retired && !st.freed) {
              st.count = 0;
              retired.add(s);
            }
          });
    }
    retired.forEach(this::free);
  }

  private final class Held implements Lease {
    private final Skill skill;
    private final State state;
    private boolean released;

    Held(Skill skill, State state) {
      this.skill = skill;
      this.state = state;
    }

    @Override
    public Skill skill() {
      return skill;
    }

    @Override
    public void close() {
      synchronized (this) {
        if (released) {
          return;
        }
        released = true;
      }
      release(skill, state);
    }
  }
}
