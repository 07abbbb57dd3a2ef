package io.adahit.eval.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * An {@code eval_model -rf} file read back: its {@code opt} ({@link RunOptions}) and its {@code
 * report} with each task's {@code counts} ({@link RunResults}), which {@code merge_reports} adds up
 * exactly. Files of older runs and ParlAI's own (without counts) are read too.
 *
 * <pre>{@code
 * ReportFile shard = ReportFile.read(new ObjectMapper(), Path.of("shard-0.json"));
 * TaskCounts convai2 = shard.report().tasks().get(0).counts();
 * }</pre>
 *
 * @param file where it was read from
 * @param opt the run's options
 * @param report the run's results
 */
public record ReportFile(Path file, RunOptions opt, RunResults report) {

  /**
   * Reads and checks a report file.
   *
   * @throws IOException if the file is missing, not JSON, or lacks {@code opt}/{@code report}, or
   *     an entry or the counts are malformed (the message names the file and the field)
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
    RunOptions opt = OptionsJson.read(file, root.get("opt"));
    RunResults report =
        ResultsJson.read(
            file,
            root.get("report"),
            root.get(ReportWriter.COUNTS),
            opt.data() == null ? null : opt.data().task());
    return new ReportFile(file, opt, report);
  }

  /** Whether every task has its counts (files of older runs and ParlAI's have none). */
  public boolean hasCounts() {
    return report.tasks().stream().allMatch(t -> t.counts() != null);
  }
}
