package io.adahit.eval.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An {@code eval_model -rf} file read back: {@code opt}, {@code report}, and the per-task {@code
 * counts} that {@link ReportWriter} adds so that reports of disjoint slices (shards) merge exactly.
 *
 * <p>The counts of a task are {@code {"exs": n, "bad_candidates": b, "ignore_bad_candidates": bool,
 * "rank_counts": {"K": {"rank": count, ...}, ...}}}: the examples with K candidates and their gold
 * at that rank, and {@code "f1_counts": {"2/5": count, ...}} (each example's F1 as an exact
 * fraction), which is everything {@link Report} computes its metrics from.
 *
 * <pre>{@code
 * ReportFile shard = ReportFile.read(new ObjectMapper(), Path.of("shard-0.json"));
 * Report convai2 = shard.counts().get("convai2");
 * }</pre>
 *
 * @param file where it was read from
 * @param opt the run's options, in file order
 * @param report the flat report, in file order
 * @param counts each task's mergeable report, in task order (empty for files of older runs)
 */
public record ReportFile(
    Path file, Map<String, Object> opt, Map<String, Object> report, Map<String, Report> counts) {

  /** The top-level key of the counts. */
  public static final String COUNTS = "counts";

  public ReportFile {
    opt = Collections.unmodifiableMap(new LinkedHashMap<>(opt));
    report = Collections.unmodifiableMap(new LinkedHashMap<>(report));
    counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
  }

  /**
   * Reads and checks a report file.
   *
   * @throws IOException if the file is missing, not JSON, or lacks {@code opt}/{@code report}, or
   *     its counts are malformed (the message names the file and the field)
   */
  public static ReportFile read(ObjectMapper json, Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "report file not found");
    }
    JsonNode root;
    try {
      root = json.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null
        || !root.isObject()
        || !root.path("opt").isObject()
        || !root.path("report").isObject()) {
      throw new IOException(
          file + ": expected an eval_model report {\"opt\": {...}, \"report\": {...}}");
    }
    TypeReference<LinkedHashMap<String, Object>> mapType = new TypeReference<>() {};
    Map<String, Object> opt = json.convertValue(root.get("opt"), mapType);
    Map<String, Object> report = json.convertValue(root.get("report"), mapType);
    Map<String, Report> counts = new LinkedHashMap<>();
    JsonNode c = root.path(COUNTS);
    if (!c.isMissingNode()) {
      if (!c.isObject()) {
        throw new IOException(file + ": \"counts\" must be an object of tasks");
      }
      for (Map.Entry<String, JsonNode> e : c.properties()) {
        counts.put(e.getKey(), parseTask(file, e.getKey(), e.getValue()));
      }
    }
    return new ReportFile(file, opt, report, counts);
  }

  /** The {@code "counts"} value for these per-task reports. */
  public static Map<String, Object> countsJson(Map<String, Report> reports) {
    Map<String, Object> out = new LinkedHashMap<>();
    reports.forEach(
        (task, r) -> {
          Map<String, Object> t = new LinkedHashMap<>();
          t.put(Report.EXS, r.exs());
          t.put(Report.BAD_CANDIDATES, r.badCandidates());
          t.put("ignore_bad_candidates", r.ignoresBadCandidates());
          Map<String, Map<String, Long>> byK =
              new TreeMap<>((a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b)));
          for (Report.RankCount rc : r.rankCounts()) {
            byK.computeIfAbsent(Integer.toString(rc.numCandidates()), k -> new LinkedHashMap<>())
                .put(Integer.toString(rc.rank()), rc.count());
          }
          t.put("rank_counts", byK);
          Map<String, Long> f1 = new LinkedHashMap<>();
          r.f1Counts().forEach(c -> f1.put(c.numerator() + "/" + c.denominator(), c.count()));
          t.put("f1_counts", f1);
          out.put(task, t);
        });
    return out;
  }

  private static Report parseTask(Path file, String task, JsonNode node) throws IOException {
    String where = file + ": counts of task '" + task + "'";
    if (!node.isObject()
        || !node.path(Report.EXS).canConvertToLong()
        || !node.path(Report.BAD_CANDIDATES).canConvertToLong()
        || !node.path("ignore_bad_candidates").isBoolean()
        || !node.path("rank_counts").isObject()) {
      throw new IOException(
          where + ": expected {exs, bad_candidates, ignore_bad_candidates," + " rank_counts}");
    }
    List<Report.RankCount> rcs = new ArrayList<>();
    try {
      for (Map.Entry<String, JsonNode> k : node.get("rank_counts").properties()) {
        for (Map.Entry<String, JsonNode> r : k.getValue().properties()) {
          if (!r.getValue().canConvertToLong()) {
            throw new IOException(
                where
                    + ": rank_counts."
                    + k.getKey()
                    + "."
                    + r.getKey()
                    + " must be a count, found "
                    + r.getValue());
          }
          rcs.add(
              new Report.RankCount(
                  Integer.parseInt(k.getKey()),
                  Integer.parseInt(r.getKey()),
                  r.getValue().asLong()));
        }
      }
      Report rep =
          Report.fromRankCounts(
              node.get("ignore_bad_candidates").asBoolean(),
              node.get(Report.BAD_CANDIDATES).asLong(),
              rcs);
      JsonNode f1 = node.path("f1_counts"); // absent in files of older runs: no f1 then
      if (!f1.isMissingNode()) {
        List<Report.F1Count> f1s = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : f1.properties()) {
          String[] nd = e.getKey().split("/");
          if (nd.length != 2 || !e.getValue().canConvertToLong()) {
            throw new IOException(
                where + ": f1_counts." + e.getKey() + " must be \"numerator/denominator\": count");
          }
          f1s.add(
              new Report.F1Count(
                  Long.parseLong(nd[0]), Long.parseLong(nd[1]), e.getValue().asLong()));
        }
        rep.addF1Counts(f1s);
      }
      if (rep.exs() != node.get(Report.EXS).asLong()) {
        throw new IOException(
            where
                + ": exs is "
                + node.get(Report.EXS).asLong()
                + " but rank_counts add up to "
                + rep.exs());
      }
      return rep;
    } catch (IllegalArgumentException e) {
      throw new IOException(where + ": " + e.getMessage(), e);
    }
  }
}
