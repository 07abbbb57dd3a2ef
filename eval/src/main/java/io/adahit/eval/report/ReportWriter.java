package io.adahit.eval.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes ParlAI's {@code eval_model -rf FILE} output: {@code {"opt": {...}, "report": {...}}},
 * indented by 4 spaces with a final newline, as ParlAI's {@code json.dump(..., indent=4)} does. A
 * run report gets a third key {@code "counts"} holding each task's (K, rank) counts ({@link
 * TaskCounts}), which {@code merge_reports} adds up exactly; ParlAI's readers look at {@code
 * "report"} only. Other reports ({@code compare}, {@code ab-report}) pass their JSON tree.
 *
 * <pre>{@code
 * new ReportWriter(new ObjectMapper()).write(Path.of("report.json"), opt, results);
 * }</pre>
 */
public final class ReportWriter {

  /** The top-level key of the counts. */
  public static final String COUNTS = "counts";

  private final ObjectMapper mapper;
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
    this.mapper = mapper;
    this.writer = mapper.writer(printer);
  }

  /** A run report's tree: {@code opt}, {@code report} and, when every task has them, counts. */
  public ObjectNode tree(RunOptions opt, RunResults report) {
    ObjectNode root = mapper.createObjectNode();
    root.set("opt", OptionsJson.write(opt));
    root.set("report", ResultsJson.write(report));
    ObjectNode counts = ResultsJson.counts(report);
    if (counts != null) {
      root.set(COUNTS, counts);
    }
    return root;
  }

  /** The JSON text of a tree, ending with a newline. */
  public String toJson(JsonNode root) {
    try {
      return writer.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("report could not be written as JSON: " + e.getMessage(), e);
    }
  }

  /** Writes a run report ({@link #tree}) to {@code file} atomically, creating or replacing it. */
  public void write(Path file, RunOptions opt, RunResults report) throws IOException {
    write(file, tree(opt, report));
  }

  /**
   * Writes {@link #toJson} of {@code root} to {@code file} atomically, creating or replacing it.
   */
  public void write(Path file, JsonNode root) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    // temporary file + rename: a reader (e.g. a merge step polling for shard files) never sees
    // half a report
    Path tmp = Files.createTempFile(parent == null ? Path.of(".") : parent, ".report-", ".tmp");
    try {
      Files.writeString(tmp, toJson(root), StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
