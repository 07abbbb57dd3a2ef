package io.adahit.server.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.Collection;

/**
 * {@code adahit_skill_info{skill, kind, fingerprint} 1}, one series per served skill, so that
 * adapter skew across replicas shows in a query such as {@code count by (skill) (count by (skill,
 * fingerprint) (adahit_skill_info)) > 1}. {@link #update} replaces the whole set: a skill unloaded
 * or replaced loses its old series.
 *
 * <pre>{@code
 * SkillInfoMetrics info = new SkillInfoMetrics(registry);
 * info.update(List.of(new SkillInfoMetrics.Row("convai2", "bottleneck", "3f9a...")));
 * }</pre>
 */
public final class SkillInfoMetrics {

  /**
   * One served skill.
   *
   * @param kind its adapter kind as ListSkills reports it (bottleneck, hierarchical, fusion,
   *     router, none...)
   * @param fingerprint SHA-256 of its own adapter (or router) weights, as ListSkills' {@code
   *     weights_fingerprint}; {@code none} for a skill without weights
   */
  public record Row(String skill, String kind, String fingerprint) {}

  private final MultiGauge gauge;

  public SkillInfoMetrics(MeterRegistry registry) {
    this.gauge =
        MultiGauge.builder("adahit.skill.info")
            .description(
                "a served skill, its adapter kind and weights fingerprint (value is always 1)")
            .register(registry);
  }

  /** The skills served from now on; series of skills not in {@code rows} are removed. */
  public synchronized void update(Collection<Row> rows) {
    gauge.register(
        rows.stream()
            .map(
                r ->
                    MultiGauge.Row.of(
                        Tags.of(
                            "skill", r.skill(), "kind", r.kind(), "fingerprint", r.fingerprint()),
                        1))
            .toList(),
        true);
  }
}
