package io.adahit.eval.harness;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Where a router ({@code --skill auto}) sent one task's examples, and how often it was right. The
 * evaluated task is the true skill when its name is among the router's skills (ConvAI2 examples
 * belong to {@code convai2}); for any other task (e.g. BST with a router over the three old skills)
 * there is no right answer and no accuracy, only the counts.
 *
 * <pre>{@code
 * RoutingCounts c = new RoutingCounts(List.of("convai2", "empathetic_dialogues"),
 *     Map.of("convai2", 3L, "empathetic_dialogues", 1L));
 * c.accuracy("convai2");              // 0.75
 * c.accuracy("blended_skill_talk");   // empty: not a skill of the router
 * c.routed();                         // {convai2=3, empathetic_dialogues=1}, every router skill listed
 * }</pre>
 *
 * @param skills the router's skills, in its order
 * @param routed examples routed to each skill; every router skill is listed (0 when never chosen)
 */
public record RoutingCounts(List<String> skills, Map<String, Long> routed) {

  public RoutingCounts {
    if (skills == null || skills.isEmpty()) {
      throw new IllegalArgumentException(
          "routing counts: the router's skills are required, found " + skills);
    }
    skills = List.copyOf(skills);
    Map<String, Long> all = new LinkedHashMap<>();
    skills.forEach(s -> all.put(s, 0L));
    for (Map.Entry<String, Long> e : routed.entrySet()) {
      if (e.getValue() == null || e.getValue() < 0) {
        throw new IllegalArgumentException(
            "routing counts: count of skill '"
                + e.getKey()
                + "' must be >= 0, found "
                + e.getValue());
      }
      all.merge(e.getKey(), e.getValue(), Long::sum);
    }
    routed = Collections.unmodifiableMap(all);
  }

  /** No example routed yet. */
  public static RoutingCounts none(List<String> skills) {
    return new RoutingCounts(skills, Map.of());
  }

  /** Examples routed. */
  public long total() {
    return routed.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Share of the examples routed to {@code task}: empty when {@code task} is not among the router's
   * skills or nothing was routed.
   */
  public OptionalDouble accuracy(String task) {
    long total = total();
    if (!skills.contains(task) || total == 0) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of((double) routed.get(task) / total);
  }

  /** Both counts added up (e.g. the shards of one run, or all tasks); the skills must agree. */
  public RoutingCounts plus(RoutingCounts other) {
    if (!skills.equals(other.skills)) {
      throw new IllegalArgumentException(
          "routing counts: cannot add counts of routers over " + skills + " and " + other.skills);
    }
    Map<String, Long> sum = new LinkedHashMap<>(routed);
    other.routed.forEach((k, v) -> sum.merge(k, v, Long::sum));
    return new RoutingCounts(skills, sum);
  }
}
