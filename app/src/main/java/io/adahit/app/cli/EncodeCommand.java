package io.adahit.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.EncodeOptions;
import io.adahit.agents.backbone.Truncation;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Prints sentence embeddings for lines of text, one JSON object (or TSV row) per line. */
@Command(
    name = "encode",
    mixinStandardHelpOptions = true,
    description = {
      "Print the backbone's sentence embeddings (mean pooled) for lines of text.",
      "Texts come from the arguments, else from --input, else from standard input (one per line)."
    })
final class EncodeCommand implements Callable<Integer> {

  @Mixin BackboneOption backbone;

  @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to encode.")
  List<String> texts = new ArrayList<>();

  @Option(
      names = {"-i", "--input"},
      paramLabel = "FILE",
      description = "Read texts from FILE, one per line.")
  Path input;

  @Option(
      names = "--max-length",
      defaultValue = "256",
      description = "Word pieces per text, [CLS]/[SEP] included (default: ${DEFAULT-VALUE}).")
  int maxLength;

  @Option(
      names = "--truncate",
      defaultValue = "KEEP_START",
      description =
          "Which end of a long text to keep: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Truncation truncation;

  @Option(names = "--no-normalize", description = "Do not L2-normalise the embeddings.")
  boolean noNormalize;

  @Option(
      names = {"-bs", "--batchsize"},
      description = "Texts per forward pass (default: ${DEFAULT-VALUE}).")
  int batchSize =
      32; // a field value, not defaultValue: picocli would apply that after the alias below

  @Mixin BatchSizeAlias batchSizeAlias; // --batch-size, hidden

  @Option(
      names = "--format",
      defaultValue = "jsonl",
      description = "jsonl ({\"text\", \"embedding\"} per line) or tsv (text, then values).")
  String format;

  @Override
  public Integer call() throws IOException {
    if (!format.equals("jsonl") && !format.equals("tsv")) {
      throw new IllegalArgumentException("--format must be jsonl or tsv, found '" + format + "'");
    }
    List<String> all = new ArrayList<>(texts);
    if (all.isEmpty()) {
      all = input != null ? Files.readAllLines(input, StandardCharsets.UTF_8) : readStdin();
    }
    EncodeOptions opts = new EncodeOptions(maxLength, truncation, !noNormalize, batchSize);
    ObjectMapper json = new ObjectMapper();
    PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8);
    try (Backbone b = backbone.load()) {
      float[][] e = b.embed(all, opts);
      for (int i = 0; i < all.size(); i++) {
        if (format.equals("jsonl")) {
          ObjectNode row = json.createObjectNode().put("text", all.get(i));
          ArrayNode values = row.putArray("embedding");
          for (float v : e[i]) {
            values.add(v);
          }
          out.println(json.writeValueAsString(row));
        } else {
          StringBuilder sb = new StringBuilder(all.get(i).replace('\t', ' '));
          for (float v : e[i]) {
            sb.append('\t').append(v);
          }
          out.println(sb);
        }
      }
    }
    out.flush();
    return 0;
  }

  private static List<String> readStdin() throws IOException {
    List<String> lines = new ArrayList<>();
    BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = r.readLine()) != null; ) {
      lines.add(line);
    }
    return lines;
  }
}
