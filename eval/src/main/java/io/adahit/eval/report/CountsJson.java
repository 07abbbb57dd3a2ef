package io.adahit.eval.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.adahit.eval.metrics.Report;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads one task's entry of a report's {@code "counts"}: {@code {"exs": n, "bad_candidates": b,
 * "ignore_bad_candidates": bool, "rank_counts": {"K": {"rank": count, ...}, ...}, "f1_counts":
 * {"2/5": count, ...}}} ({@code f1_counts} absent in reports of older runs). {@link ResultsJson}
 * writes it.
 */
final class CountsJson {

  private CountsJson() {}

  /**
   * @throws IOException if the entry is malformed (the message names the file, task and field)
   */
  static TaskCounts read(Path file, String task, JsonNode node) throws IOException {
    String where = file + ": counts of task '" + task + "'";
    if (!node.isObject()
        || !node.path(Report.EXS).canConvertToLong()
        || !node.path(Report.BAD_CANDIDATES).canConvertToLong()
        || !node.path("ignore_bad_candidates").isBoolean()
        || !node.path("rank_counts").isObject()) {
      throw new IOException(
          where + ": expected {exs, bad_candidates, ignore_bad_candidates," + " rank_counts}");
    }
    try {
      List<Report.RankCount> rcs = new ArrayList<>();
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
      List<Report.F1Count> f1s = null;
      JsonNode f1 = node.path("f1_counts");
      if (!f1.isMissingNode()) {
        f1s = new ArrayList<>();
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
      }
      return new TaskCounts(
          node.get(Report.EXS).asLong(),
          node.get(Report.BAD_CANDIDATES).asLong(),
          node.get("ignore_bad_candidates").asBoolean(),
          rcs,
          f1s);
    } catch (IllegalArgumentException e) {
      throw new IOException(where + ": " + e.getMessage(), e);
    }
  }
}
