package io.adahit.eval.harness;

import io.adahit.agents.backbone.EncoderWork;
import io.adahit.eval.metrics.Report;
import io.adahit.eval.metrics.ReportFile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Combines the {@code -rf} files of the shards of one evaluation ({@code --num-shards N --shard-id
 * I}) into the report one run gives: each task's (K, rank) counts are added up ({@link
 * Report#addAll}), so every metric equals the single run's exactly. Timing is that of the parallel
 * job: a task's wall time is the slowest shard's, and cache counts are summed, as are a router's
 * routing counts (from which routing accuracy is computed again).
 *
 * <p>Refused, with a message naming the files: a missing or repeated shard, files of different runs
 * (any {@code opt} entry other than {@link #MAY_DIFFER} differs), files without counts.
 *
 * <pre>{@code
 * List<ReportFile> shards = List.of(ReportFile.read(json, a), ReportFile.read(json, b));
 * ReportMerger.Merged m = ReportMerger.merge(shards);
 * new ReportWriter(json).write(out, m.opt(), m.report(), m.counts());
 * }</pre>
 */
public final class ReportMerger {

  /** opt entries that may differ between the shards of one run. */
  public static final Set<String> MAY_DIFFER =
      Set.of("shard_id", "world_logs", "cache_dir", "report_filename");

  /**
   * @param opt the shards' common options, without {@code shard_id}, with {@code merged_from}
   * @param report the merged report
   * @param counts the merged per-task reports
   * @param results per-task metrics and timing, for the result table
   * @param totalSeconds the slowest shard's total wall time
   */
  public record Merged(
      Map<String, Object> opt,
      Map<String, Object> report,
      Map<String, Report> counts,
      List<TaskResult> results,
      double totalSeconds) {}

  private ReportMerger() {}

  /**
   * @throws IllegalArgumentException if the files are not the complete shards of one run
   */
  public static Merged merge(List<ReportFile> shards) {
    if (shards.isEmpty()) {
      throw new IllegalArgumentException("merge_reports: give the shard report files, found none");
    }
    ReportFile first = shards.get(0);
    int n = numShards(first);
    if (n != shards.size()) {
      throw new IllegalArgumentException(
          "merge_reports: "
              + first.file()
              + " is one of "
              + n
              + " shards (num_shards), but "
              + shards.size()
              + " files were given");
    }
    TreeMap<Integer, ReportFile> byId = new TreeMap<>();
    for (ReportFile f : shards) {
      if (f.counts().isEmpty()) {
        throw new IllegalArgumentException(
            "merge_reports: "
                + f.file()
                + " has no \"counts\": it"
                + " was not written by eval_model -rf of this version, so it cannot be merged exactly");
      }
      checkSameRun(first, f);
      int id = shardId(f);
      ReportFile dup = byId.put(id, f);
      if (dup != null) {
        throw new IllegalArgumentException(
            "merge_reports: shard " + id + " appears twice: " + dup.file() + " and " + f.file());
      }
    }
    for (int i = 0; i < n; i++) {
      if (!byId.containsKey(i)) {
        throw new IllegalArgumentException(
            "merge_reports: shard "
                + i
                + " of "
                + n
                + " is missing; given shards "
                + byId.keySet());
      }
    }
    List<TaskResult> results = new ArrayList<>();
    List<Map<String, Object>> contamination = new ArrayList<>();
    boolean checked = false;
    double total = 0;
    for (String task : first.counts().keySet()) {
      Report merged = null;
      double wall = 0;
      long encoded = 0;
      long cached = 0;
      boolean cacheUsed = true;
      RoutingCounts routing = null;
      EncoderWork work = EncoderWork.NONE;
      boolean workCounted = true;
      for (ReportFile f : byId.values()) {
        Report r = f.counts().get(task);
        if (r == null) {
          throw new IllegalArgumentException(
              "merge_reports: "
                  + f.file()
                  + " has no counts for task '"
                  + task
                  + "' (in "
                  + first.file()
                  + ")");
        }
        if (merged == null) {
          merged = new Report(r.ignoresBadCandidates());
        }
        merged.addAll(r);
        String prefix = first.counts().size() > 1 ? task + "/" : "";
        wall = Math.max(wall, number(f, prefix + "wall_time_s"));
        cacheUsed &= f.report().containsKey(prefix + "encoded_texts");
        encoded += (long) number(f, prefix + "encoded_texts");
        cached += (long) number(f, prefix + "cached_texts");
        workCounted &= f.report().containsKey(prefix + RunReport.ENCODED_TOKENS);
        work =
            work.plus(
                new EncoderWork(
                    0,
                    (long) number(f, prefix + RunReport.ENCODED_TOKENS),
                    (long) number(f, prefix + RunReport.PADDED_TOKENS)));
        RoutingCounts r2 = routing(f, prefix);
        if (r2 != null) {
          routing = routing == null ? r2 : routing.plus(r2);
        }
      }
      results.add(
          new TaskResult(
              task,
              merged,
              wall,
              cacheUsed ? encoded : -1,
              cacheUsed ? cached : -1,
              routing,
              workCounted ? work : null));
    }
    for (ReportFile f : byId.values()) {
      total = Math.max(total, number(f, "total_wall_time_s"));
      checked |= f.report().containsKey(RunReport.CONTAMINATED);
      if (f.report().get(RunReport.CONTAMINATION) instanceof List<?> list) {
        for (Object o : list) {
          if (o instanceof Map<?, ?> m && !contamination.contains(m)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> entry = (Map<String, Object>) m;
            contamination.add(entry);
          }
        }
      }
    }
    Map<String, Object> opt = new LinkedHashMap<>(first.opt());
    opt.remove("shard_id");
    opt.put("merged_from", byId.values().stream().map(f -> f.file().toString()).toList());
    Map<String, Object> report = RunReport.toMap(results, total, checked, contamination);
    return new Merged(opt, report, RunReport.reports(results), results, total);
  }

  private static int numShards(ReportFile f) {
    Object v = f.opt().getOrDefault("num_shards", 1);
    if (!(v instanceof Number num) || num.intValue() < 1) {
      throw new IllegalArgumentException(
          "merge_reports: " + f.file() + ": opt.num_shards must be >= 1, found " + v);
    }
    return num.intValue();
  }

  private static int shardId(ReportFile f) {
    Object v = f.opt().getOrDefault("shard_id", 0);
    if (!(v instanceof Number num)) {
      throw new IllegalArgumentException(
          "merge_reports: " + f.file() + ": opt.shard_id must be a number, found " + v);
    }
    return num.intValue();
  }

  private static void checkSameRun(ReportFile a, ReportFile b) {
    Set<String> keys = new java.util.TreeSet<>(a.opt().keySet());
    keys.addAll(b.opt().keySet());
    for (String k : keys) {
      if (!MAY_DIFFER.contains(k) && !Objects.equals(a.opt().get(k), b.opt().get(k))) {
        throw new IllegalArgumentException(
            "merge_reports: "
                + a.file()
                + " and "
                + b.file()
                + " are not shards of one run: opt."
                + k
                + " is "
                + a.opt().get(k)
                + " vs "
                + b.opt().get(k));
      }
    }
  }

  /** A shard's routing counts of one task ({@code routed}, every router skill listed), or null. */
  private static RoutingCounts routing(ReportFile f, String prefix) {
    if (!(f.report().get(prefix + RunReport.ROUTED) instanceof Map<?, ?> m) || m.isEmpty()) {
      return null;
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (!(e.getValue() instanceof Number n)) {
        throw new IllegalArgumentException(
            "merge_reports: "
                + f.file()
                + ": report."
                + prefix
                + RunReport.ROUTED
                + "."
                + e.getKey()
                + " must be a count, found "
                + e.getValue());
      }
      counts.put(String.valueOf(e.getKey()), n.longValue());
    }
    return new RoutingCounts(List.copyOf(counts.keySet()), counts);
  }

  private static double number(ReportFile f, String key) {
    return f.report().get(key) instanceof Number n ? n.doubleValue() : 0;
  }
}
