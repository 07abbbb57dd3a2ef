package io.adahit.eval.metrics;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Aggregates the ranking metrics of one task's examples into ParlAI's report keys.
 *
 * <p>Keys, in this order: {@code exs} (a count), {@code accuracy}, {@code hits@1}, {@code hits@5},
 * {@code hits@10}, {@code hits@100}, {@code mrr}, {@code rank} (each an average over examples),
 * and {@code bad_candidates} when examples were skipped. Each average has its own denominator,
 * like ParlAI's {@code AverageMetric}: {@code hits@k} averages only over examples with at least k
 * candidates, and is absent when there were none (so ConvAI2's K = 20 reports no hits@100).
 *
 * <p>An example whose labels are all missing from its candidates throws
 * {@link BadCandidatesException}, unless the report was made with {@code ignoreBadCandidates}:
 * then it is left out of every metric, {@code exs} included, and counted in
 * {@code bad_candidates}. (ParlAI with {@code --ignore-bad-candidates} still counts such an example
 * in {@code exs} and as a hits@k miss, leaving it out of rank and mrr only.)
 *
 * <p>Not thread-safe: use one per worker and {@link #addAll} them.
 *
 * <pre>{@code
 * Report report = new Report(false);
 * for (Episode ep : teacher.episodes()) {
 *   for (int i = 0; i < ep.size(); i++) {
 *     Example ex = ep.examples().get(i);
 *     List<String> ranked = ranker.rank(history.context(), ex.labelCandidates())
 *         .top(ex.labelCandidates(), Integer.MAX_VALUE);
 *     report.addRanking(ep.exampleName(teacher, i), ranked, ex.evalLabels());
 *   }
 * }
 * report.toMap();   // {exs=7801, accuracy=0.87, hits@1=0.87, hits@5=..., mrr=..., rank=...}
 * }</pre>
 */
public final class Report {

  /** The k of every hits@k that ParlAI reports. */
  public static final List<Integer> HITS_K = List.of(1, 5, 10, 100);

  public static final String EXS = "exs";
  public static final String ACCURACY = "accuracy";
  public static final String MRR = "mrr";
  public static final String RANK = "rank";
  public static final String BAD_CANDIDATES = "bad_candidates";

  private final boolean ignoreBadCandidates;
  private long exs;
  private long badCandidates;
  private final Map<String, Mean> means = new LinkedHashMap<>();

  /** A report that throws on a label missing from its candidates. */
  public Report() {
    this(false);
  }

  /**
   * @param ignoreBadCandidates skip and count (instead of throwing on) examples whose labels are
   *     all missing from their candidates
   */
  public Report(boolean ignoreBadCandidates) {
    this.ignoreBadCandidates = ignoreBadCandidates;
  }

  /** The name of the hits@k metric, {@code "hits@" + k}. */
  public static String hitsKey(int k) {
    return "hits@" + k;
  }

  /**
   * Scores one example from its ranked candidates (best first) and adds it.
   *
   * @return the example's metrics, or empty when it was skipped as a bad-candidates example
   * @throws BadCandidatesException if no candidate matches a label and bad candidates are not
   *     ignored
   */
  public Optional<ExampleMetrics> addRanking(
      String exampleId, List<String> rankedCandidates, Collection<String> labels) {
    Optional<ExampleMetrics> m = HitsAtK.evaluate(exampleId, rankedCandidates, labels);
    if (m.isEmpty()) {
      if (!ignoreBadCandidates) {
        throw new BadCandidatesException(
            exampleId,
            "example '" + exampleId + "': none of its labels " + labels + " is among its "
                + rankedCandidates.size()
                + " candidates (compared after ParlAI's normalisation); fix the candidates or"
                + " set ignoreBadCandidates to skip and count such examples");
      }
      badCandidates++;
      return m;
    }
    add(m.get());
    return m;
  }

  /** Adds one scored example. */
  public void add(ExampleMetrics m) {
    exs++;
    mean(ACCURACY).add(m.accuracy());
    for (int k : HITS_K) {
      if (m.hasHitsAt(k)) {
        mean(hitsKey(k)).add(m.hitsAt(k));
      }
    }
    mean(MRR).add(m.mrr());
    mean(RANK).add(m.rank());
  }

  /** Adds everything {@code other} has seen (e.g. a worker's partial report). */
  public void addAll(Report other) {
    exs += other.exs;
    badCandidates += other.badCandidates;
    other.means.forEach((key, mean) -> mean(key).addAll(mean));
  }

  /** Examples scored. */
  public long exs() {
    return exs;
  }

  /** Examples skipped because their labels were missing from their candidates. */
  public long badCandidates() {
    return badCandidates;
  }

  /** Whether bad-candidate examples are skipped rather than rejected. */
  public boolean ignoresBadCandidates() {
    return ignoreBadCandidates;
  }

  /** The value of an averaged metric ({@code "hits@1"}, {@code "mrr"}, ...), if recorded. */
  public OptionalDouble average(String metric) {
    Mean m = means.get(metric);
    return m == null || m.count() == 0 ? OptionalDouble.empty() : OptionalDouble.of(m.value());
  }

  /** How many examples an averaged metric was computed over (0 if never recorded). */
  long count(String metric) {
    Mean m = means.get(metric);
    return m == null ? 0 : m.count();
  }

  /** The report as ParlAI's flat {@code metric -> value} map, in ParlAI's key order. */
  public Map<String, Number> toMap() {
    Map<String, Number> out = new LinkedHashMap<>();
    out.put(EXS, exs);
    for (String key : averagedKeys()) {
      average(key).ifPresent(v -> out.put(key, v));
    }
    if (badCandidates > 0) {
      out.put(BAD_CANDIDATES, badCandidates);
    }
    return out;
  }

  /** The averaged metrics in report order. */
  static List<String> averagedKeys() {
    return List.of(
        ACCURACY, hitsKey(1), hitsKey(5), hitsKey(10), hitsKey(100), MRR, RANK);
  }

  private Mean mean(String key) {
    return means.computeIfAbsent(key, k -> new Mean());
  }

  /** A running mean: sum and count, merged by adding both (ParlAI's AverageMetric). */
  private static final class Mean {
    private double sum;
    private long count;

    void add(double v) {
      sum += v;
      count++;
    }

    void addAll(Mean other) {
      sum += other.sum;
      count += other.count;
    }

    long count() {
      return count;
    }

    double value() {
      return sum / count;
    }
  }
}
