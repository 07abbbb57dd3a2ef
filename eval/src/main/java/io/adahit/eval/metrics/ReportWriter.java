package io.adahit.eval.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes ParlAI's {@code eval_model -rf FILE} output: {@code {"opt": {...}, "report": {...}}},
 * indented by 4 spaces with a final newline, as ParlAI's {@code json.dump(..., indent=4)} does.
 * With per-task reports given, a third key {@code "counts"} holds each task's (K, rank) counts
 * ({@link ReportFile#countsJson}), which {@code merge_reports} adds up exactly; ParlAI's readers
 * look at {@code "report"} only.
 *
 * <pre>{@code
 * Map<String, Object> opt = Map.of("task", "convai2", "datatype", "valid", "seed", 0);
 * new ReportWriter(new ObjectMapper()).write(Path.of("report.json"), opt, report.toMap());
 * }</pre>
 */
public final class ReportWriter {

  private final ObjectWriter writer;

  /**
   * @param mapper the mapper to serialise with (its configuration is kept; output is indented)
   */
  public ReportWriter(ObjectMapper mapper) {
    Separators separators =
        Separators.createDefaultInstance()
            .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
            .withObjectEmptySeparator("")
            .withArrayEmptySeparator("");
    DefaultPrettyPrinter printer =
        new DefaultPrettyPrinter()
            .withSeparators(separators)
            .withObjectIndenter(new DefaultIndenter("    ", "\n"))
            .withArrayIndenter(new DefaultIndenter("    ", "\n"));
    this.writer = mapper.writer(printer);
  }

  /** The JSON text, ending with a newline. */
  public String toJson(Map<String, ?> opt, Map<String, ?> report) {
    return toJson(opt, report, Map.of());
  }

  /**
   * The JSON text with the per-task counts that make the report mergeable, ending with a newline.
   *
   * @param counts each task's report, in task order; empty for no {@code "counts"} key
   */
  public String toJson(Map<String, ?> opt, Map<String, ?> report, Map<String, Report> counts) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("opt", opt);
    root.put("report", report);
    if (!counts.isEmpty()) {
      root.put(ReportFile.COUNTS, ReportFile.countsJson(counts));
    }
    try {
      return writer.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("opt could not be written as JSON: " + e.getMessage(), e);
    }
  }

  /** Writes {@link #toJson} to {@code file}, creating or replacing it. */
  public void write(Path file, Map<String, ?> opt, Map<String, ?> report) throws IOException {
    write(file, opt, report, Map.of());
  }

  /** Writes {@link #toJson(Map, Map, Map)} to {@code file} atomically, creating or replacing it. */
  public void write(
      Path file, Map<String, ?> opt, Map<String, ?> report, Map<String, Report> counts)
      throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    // temporary file + rename: a reader (e.g. a merge step polling for shard files) never sees
    // half a report
    Path tmp = Files.createTempFile(parent == null ? Path.of(".") : parent, ".report-", ".tmp");
    try {
      Files.writeString(tmp, toJson(opt, report, counts), StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
