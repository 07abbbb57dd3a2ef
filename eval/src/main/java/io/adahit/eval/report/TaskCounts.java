package io.adahit.eval.report;

import io.adahit.eval.metrics.Report;
import java.util.List;

/**
 * Everything one task's metrics are computed from, as a report file's {@code "counts"} records it:
 * how many examples had each (K, rank) pair and each F1 fraction. Counts of disjoint slices
 * (shards) add up to exactly the counts of one run over all of them ({@link Report#addAll}).
 *
 * <pre>{@code
 * TaskCounts c = TaskCounts.of(report);
 * Report same = c.toReport();   // same metrics, bit for bit
 * }</pre>
 *
 * @param exs examples scored (the sum of the rank counts)
 * @param badCandidates examples skipped for bad candidates
 * @param ignoreBadCandidates whether such examples were skipped rather than refused
 * @param rankCounts by K then rank
 * @param f1Counts each F1 fraction's count; null when not recorded (reports of older runs)
 */
public record TaskCounts(
    long exs,
    long badCandidates,
    boolean ignoreBadCandidates,
    List<Report.RankCount> rankCounts,
    List<Report.F1Count> f1Counts) {

  public TaskCounts {
    rankCounts = List.copyOf(rankCounts);
    f1Counts = f1Counts == null ? null : List.copyOf(f1Counts);
    long sum = rankCounts.stream().mapToLong(Report.RankCount::count).sum();
    if (sum != exs) {
      throw new IllegalArgumentException("exs is " + exs + " but rank_counts add up to " + sum);
    }
    if (badCandidates < 0 || (badCandidates > 0 && !ignoreBadCandidates)) {
      throw new IllegalArgumentException(
          "bad_candidates must be >= 0, and 0 unless bad candidates are ignored; found "
              + badCandidates
              + " with ignore_bad_candidates "
              + ignoreBadCandidates);
    }
  }

  /** The counts of a report. */
  public static TaskCounts of(Report r) {
    return new TaskCounts(
        r.exs(), r.badCandidates(), r.ignoresBadCandidates(), r.rankCounts(), r.f1Counts());
  }

  /** A new report holding these counts (to merge into, or to compute metrics from). */
  public Report toReport() {
    Report r = Report.fromRankCounts(ignoreBadCandidates, badCandidates, rankCounts);
    if (f1Counts != null) {
      r.addF1Counts(f1Counts);
    }
    return r;
  }
}
