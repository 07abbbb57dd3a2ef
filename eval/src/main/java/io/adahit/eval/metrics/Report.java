package io.adahit.eval.metrics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * Aggregates the ranking metrics of one task's examples into ParlAI's report keys.
 *
 * <p>Keys, in this order: {@code exs} (a count), {@code accuracy} (exact match of the chosen reply,
 * the top candidate, with a label after ParlAI's normalisation), {@code f1} (ParlAI's unigram F1 of
 * the chosen reply against the best-matching label, {@link UnigramF1}), {@code hits@1}, {@code
 * hits@5}, {@code hits@10}, {@code hits@100}, {@code mrr}, {@code rank} (each an average over
 * examples), and {@code bad_candidates} when examples were skipped. As in ParlAI, every hits@k is
 * recorded for every example, also when it had fewer than k candidates (then it is 1: ConvAI2's K =
 * 20 gives hits@100 = 1.0). {@code f1} is averaged over the examples whose chosen reply is known
 * (all of them, unless merged with reports of older runs).
 *
 * <p>An example whose labels are all missing from its candidates throws {@link
 * BadCandidatesException}, unless the report was made with {@code ignoreBadCandidates}: then it is
 * left out of every metric, {@code exs} included, and counted in {@code bad_candidates}. (ParlAI
 * with {@code --ignore-bad-candidates} still counts such an example in {@code exs} and as a hits@k
 * miss, leaving it out of rank and mrr only.)
 *
 * <p><b>Exact merging.</b> Every metric is a function of the examples' (K, rank) pairs and their F1
 * fractions {@code 2c / (p + g)}, so the report keeps only how many examples had each pair ({@link
 * #rankCounts()}) and each fraction ({@link #f1Counts()}) and computes the averages from those
 * counts in one fixed order. Reports of disjoint slices therefore {@link #addAll merge} into
 * bit-for-bit the report of one run over all of them, whatever the slicing ({@code merge_reports}
 * relies on it: a plain running sum of {@code 1/rank} would differ in the last bits with the
 * summation order).
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
 * Report same = Report.fromRankCounts(false, report.badCandidates(), report.rankCounts());
 * }</pre>
 */
public final class Report {

  /** The k of every hits@k that ParlAI reports. */
  public static final List<Integer> HITS_K = List.of(1, 5, 10, 100);

  public static final String EXS = "exs";
  public static final String ACCURACY = "accuracy";
  public static final String F1 = "f1";
  public static final String MRR = "mrr";
  public static final String RANK = "rank";
  public static final String BAD_CANDIDATES = "bad_candidates";

  /**
   * How many examples had {@code numCandidates} candidates and their gold at {@code rank}.
   *
   * @param numCandidates K, >= 1
   * @param rank 1-based, in 1..K
   * @param count examples, >= 1
   */
  public record RankCount(int numCandidates, int rank, long count) {
    public RankCount {
      if (numCandidates < 1 || rank < 1 || rank > numCandidates) {
        throw new IllegalArgumentException(
            "rank count: need 1 <= rank <= K, found rank " + rank + " of K " + numCandidates);
      }
      if (count < 1) {
        throw new IllegalArgumentException(
            "rank count: count must be >= 1, found "
                + count
                + " for rank "
                + rank
                + " of K "
                + numCandidates);
      }
    }
  }

  /**
   * How many examples had F1 {@code numerator / denominator} (a reduced fraction; 0 is 0/1).
   *
   * @param numerator 2 x common tokens, reduced
   * @param denominator predicted + gold tokens, reduced, >= 1
   * @param count examples, >= 1
   */
  public record F1Count(long numerator, long denominator, long count) {
    public F1Count {
      if (denominator < 1 || numerator < 0 || numerator > denominator || count < 1) {
        throw new IllegalArgumentException(
            "f1 count: need 0 <= numerator <= denominator, denominator >= 1, count >= 1,"
                + " found "
                + numerator
                + "/"
                + denominator
                + " x "
                + count);
      }
    }
  }

  private final boolean ignoreBadCandidates;

  /** F1 fractions packed as numerator * 2^32 + denominator. */
  private final TreeMap<Long, Long> f1 = new TreeMap<>();

  private long exs;
  private long badCandidates;

  /** (K, rank) packed as K * 2^32 + rank, so the map iterates by K then by rank. */
  private final TreeMap<Long, Long> counts = new TreeMap<>();

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

  /** A report rebuilt from another's {@link #rankCounts()} and {@link #badCandidates()}. */
  public static Report fromRankCounts(
      boolean ignoreBadCandidates, long badCandidates, List<RankCount> rankCounts) {
    if (badCandidates < 0) {
      throw new IllegalArgumentException(
          "report: bad_candidates must be >= 0, found " + badCandidates);
    }
    if (badCandidates > 0 && !ignoreBadCandidates) {
      throw new IllegalArgumentException(
          "report: "
              + badCandidates
              + " bad-candidate examples, but bad candidates are not ignored");
    }
    Report r = new Report(ignoreBadCandidates);
    r.badCandidates = badCandidates;
    for (RankCount c : rankCounts) {
      r.counts.merge(key(c.numCandidates(), c.rank()), c.count(), Long::sum);
      r.exs += c.count();
    }
    return r;
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
    if (m.isPresent()) {
      addF1(rankedCandidates.get(0), labels);
    }
    if (m.isEmpty()) {
      if (!ignoreBadCandidates) {
        throw new BadCandidatesException(
            exampleId,
            "example '"
                + exampleId
                + "': none of its labels "
                + labels
                + " is among its "
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
    counts.merge(key(m.numCandidates(), m.rank()), 1L, Long::sum);
  }

  /**
   * Records the F1 of one scored example's chosen reply ({@link #add} records its rank): ParlAI's
   * unigram F1 against the best-matching label.
   */
  public void addF1(String chosen, Collection<String> labels) {
    long[] f = UnigramF1.fraction(chosen, labels);
    f1.merge((f[0] << 32) | f[1], 1L, Long::sum);
  }

  /** Adds F1 counts (e.g. read back from a report file). */
  public void addF1Counts(List<F1Count> counts) {
    for (F1Count c : counts) {
      long g = gcd(c.numerator(), c.denominator());
      f1.merge(((c.numerator() / g) << 32) | (c.denominator() / g), c.count(), Long::sum);
    }
  }

  /** The F1 fractions of the examples and how many had each, in a fixed order. */
  public List<F1Count> f1Counts() {
    List<F1Count> out = new ArrayList<>(f1.size());
    f1.forEach((k, n) -> out.add(new F1Count(k >>> 32, k & 0xffffffffL, n)));
    return out;
  }

  static long gcd(long a, long b) {
    return b == 0 ? Math.max(1, a) : gcd(b, a % b);
  }

  /** Adds everything {@code other} has seen (e.g. a worker's or a shard's partial report). */
  public void addAll(Report other) {
    exs += other.exs;
    badCandidates += other.badCandidates;
    other.counts.forEach((k, n) -> counts.merge(k, n, Long::sum));
    other.f1.forEach((k, n) -> f1.merge(k, n, Long::sum));
  }

  /** The examples' (K, rank) counts, by K then rank: everything the metrics are made of. */
  public List<RankCount> rankCounts() {
    List<RankCount> out = new ArrayList<>(counts.size());
    counts.forEach((k, n) -> out.add(new RankCount(numCandidates(k), rank(k), n)));
    return out;
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
    long n = count(metric);
    if (n == 0) {
      return OptionalDouble.empty();
    }
    if (metric.equals(F1)) {
      double sum = 0;
      for (Map.Entry<Long, Long> e : f1.entrySet()) {
        sum += e.getValue() * ((double) (e.getKey() >>> 32) / (e.getKey() & 0xffffffffL));
      }
      return OptionalDouble.of(sum / n);
    }
    double sum = 0;
    for (Map.Entry<Long, Long> e : counts.entrySet()) {
      int k = numCandidates(e.getKey());
      int rank = rank(e.getKey());
      long c = e.getValue();
      sum +=
          switch (metric) {
            case ACCURACY -> rank == 1 ? c : 0;
            case MRR -> c * (1.0 / rank);
            case RANK -> (double) c * rank;
            default -> rank <= hitsK(metric) ? c : 0; // as ParlAI: K < k counts too
          };
    }
    return OptionalDouble.of(sum / n);
  }

  /** How many examples an averaged metric was computed over (0 if never recorded). */
  long count(String metric) {
    if (metric.equals(ACCURACY) || metric.equals(MRR) || metric.equals(RANK)) {
      return exs;
    }
    if (metric.equals(F1)) {
      return f1.values().stream().mapToLong(Long::longValue).sum();
    }
    return hitsK(metric) >= 1 ? exs : 0;
  }

  /** The k of a {@code hits@k} key; -1 for any other key (no such metric is recorded). */
  private static int hitsK(String metric) {
    if (metric.startsWith("hits@")) {
      try {
        return Integer.parseInt(metric.substring(5));
      } catch (NumberFormatException e) {
        return -1;
      }
    }
    return -1;
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
    return List.of(ACCURACY, F1, hitsKey(1), hitsKey(5), hitsKey(10), hitsKey(100), MRR, RANK);
  }

  private static long key(int numCandidates, int rank) {
    return ((long) numCandidates << 32) | rank;
  }

  private static int numCandidates(long key) {
    return (int) (key >>> 32);
  }

  private static int rank(long key) {
    return (int) key;
  }
}
