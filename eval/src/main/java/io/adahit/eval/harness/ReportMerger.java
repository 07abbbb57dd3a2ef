package io.adahit.eval.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adahit.agents.backbone.EncoderWork;
import io.adahit.eval.metrics.Report;
import io.adahit.eval.report.OptionsJson;
import io.adahit.eval.report.ReportFile;
import io.adahit.eval.report.RunOptions;
import io.adahit.eval.report.RunResults;
import io.adahit.eval.report.TaskRun;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

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
 * new ReportWriter(json).write(out, m.opt(), m.report());
 * }</pre>
 */
public final class ReportMerger {

  /** opt entries that may differ between the shards of one run. */
  public static final Set<String> MAY_DIFFER =
      Set.of("shard_id", "world_logs", "cache_dir", "report_filename");

  /**
   * @param opt the shards' common options, without {@code shard_id}, with {@code merged_from}
   * @param report the merged report
   * @param results per-task metrics and timing, for the result table
   * @param totalSeconds the slowest shard's total wall time
   */
  public record Merged(
      RunOptions opt, RunResults report, List<TaskResult> results, double totalSeconds) {}

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
      if (!f.hasCounts()) {
        throw new IllegalArgumentException(
            "merge_reports: "
                + f.file()
                + " has no \"counts\": it"
                + " was not written by eval_model -rf of this version, so it cannot be merged exactly");
      }
      checkSameRun(first, f);
      int id = f.opt().shardId() == null ? 0 : f.opt().shardId();
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
    for (TaskRun task : first.report().tasks()) {
      results.add(mergeTask(task.task(), first, byId.values()));
    }
    List<Contamination> contamination = new ArrayList<>();
    boolean checked = false;
    double total = 0;
    for (ReportFile f : byId.values()) {
      RunResults r = f.report();
      total = Math.max(total, r.totalWallSeconds() == null ? 0 : r.totalWallSeconds());
      checked |= r.contaminated() != null;
      r.contamination().stream()
          .filter(c -> !contamination.contains(c))
          .forEach(contamination::add);
    }
    RunOptions opt =
        first.opt().mergedFrom(byId.values().stream().map(f -> f.file().toString()).toList());
    return new Merged(opt, RunResults.of(results, total, checked, contamination), results, total);
  }

  /** One task's results of all shards added up: counts, cache and tokens summed, slowest wall. */
  private static TaskResult mergeTask(String task, ReportFile first, Iterable<ReportFile> shards) {
    Report merged = null;
    double wall = 0;
    long encoded = 0;
    long cached = 0;
    boolean cacheUsed = true;
    RoutingCounts routing = null;
    EncoderWork work = EncoderWork.NONE;
    boolean workCounted = true;
    for (ReportFile f : shards) {
      TaskRun r =
          f.report().tasks().stream()
              .filter(t -> t.task().equals(task))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "merge_reports: "
                              + f.file()
                              + " has no counts for task '"
                              + task
                              + "' (in "
                              + first.file()
                              + ")"));
      Report counts = r.counts().toReport();
      if (merged == null) {
        merged = new Report(counts.ignoresBadCandidates());
      }
      merged.addAll(counts);
      wall = Math.max(wall, r.wallSeconds() == null ? 0 : r.wallSeconds());
      cacheUsed &= r.encodedTexts() != null;
      encoded += r.encodedTexts() == null ? 0 : r.encodedTexts();
      cached += r.cachedTexts() == null ? 0 : r.cachedTexts();
      workCounted &= r.tokens() != null;
      if (r.tokens() != null) {
        work = work.plus(new EncoderWork(0, r.tokens().encoded(), r.tokens().padded()));
      }
      if (r.routing() != null && !r.routing().routed().isEmpty()) {
        routing = routing == null ? r.routing().counts() : routing.plus(r.routing().counts());
      }
    }
    return new TaskResult(
        task,
        merged,
        wall,
        cacheUsed ? encoded : -1,
        cacheUsed ? cached : -1,
        routing,
        workCounted ? work : null);
  }

  private static int numShards(ReportFile f) {
    Integer n = f.opt().numShards();
    if (n != null && n < 1) {
      throw new IllegalArgumentException(
          "merge_reports: " + f.file() + ": opt.num_shards must be >= 1, found " + n);
    }
    return n == null ? 1 : n;
  }

  /** Both files' options agree on every entry but {@link #MAY_DIFFER}, compared as written. */
  private static void checkSameRun(ReportFile a, ReportFile b) {
    ObjectNode x = OptionsJson.write(a.opt());
    ObjectNode y = OptionsJson.write(b.opt());
    Set<String> keys = new TreeSet<>();
    x.fieldNames().forEachRemaining(keys::add);
    y.fieldNames().forEachRemaining(keys::add);
    for (String k : keys) {
      if (!MAY_DIFFER.contains(k) && !x.path(k).equals(y.path(k))) {
        throw new IllegalArgumentException(
            "merge_reports: "
                + a.file()
                + " and "
                + b.file()
                + " are not shards of one run: opt."
                + k
                + " is "
                + shown(x.get(k))
                + " vs "
                + shown(y.get(k)));
      }
    }
  }

  private static String shown(JsonNode v) {
    return v == null || v.isNull() ? "null" : v.isTextual() ? v.asText() : v.toString();
  }
}
