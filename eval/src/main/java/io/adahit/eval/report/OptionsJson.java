package io.adahit.eval.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adahit.agents.adapters.TextLengths;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@link RunOptions} as a report's {@code "opt"} object, with ParlAI's keys in eval_model's order,
 * and back. Entries no field holds (those of the evaluated model, or of older reports) are read
 * into {@link RunOptions#target()} and written back in place of it.
 *
 * <pre>{@code
 * ObjectNode opt = OptionsJson.write(options);
 * RunOptions same = OptionsJson.read(file, opt);
 * }</pre>
 */
public final class OptionsJson {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** The keys the typed fields write; any other key belongs to the target. */
  private static final Set<String> TYPED =
      Set.of(
          "task",
          "datatype",
          "num_examples",
          "batchsize",
          "eval_candidates",
          "fixed_candidates_path",
          "fromfile_datapath",
          "seed",
          "datapath",
          "text_truncate",
          "label_truncate",
          "ignore_bad_candidates",
          "num_shards",
          "shard_id",
          "model",
          "lengths",
          "backbone",
          "backbone_fingerprint",
          "teachers",
          "adahit_version",
          "merged_from");

  private OptionsJson() {}

  /** The {@code "opt"} object. */
  public static ObjectNode write(RunOptions o) {
    ObjectNode n = NODES.objectNode();
    RunOptions.Data d = o.data();
    if (d != null) {
      n.put("task", d.task());
      n.put("datatype", d.datatype());
      n.put("num_examples", d.numExamples());
      n.put("batchsize", d.batchsize());
      n.put("eval_candidates", d.evalCandidates());
      putIf(n, "fixed_candidates_path", d.fixedCandidatesPath());
      putIf(n, "fromfile_datapath", d.fromfileDatapath());
      n.put("seed", d.seed());
      n.put("datapath", d.datapath());
      n.put("text_truncate", d.textTruncate());
      n.put("label_truncate", d.labelTruncate());
      n.put("ignore_bad_candidates", d.ignoreBadCandidates());
    }
    if (o.numShards() != null) {
      n.put("num_shards", o.numShards());
    }
    if (o.shardId() != null) {
      n.put("shard_id", o.shardId());
    }
    putIf(n, "model", o.model());
    n.setAll(o.target());
    if (o.lengths() != null) {
      n.set("lengths", lengths(o.lengths()));
    }
    putIf(n, "backbone", o.backbone());
    putIf(n, "backbone_fingerprint", o.backboneFingerprint());
    if (o.teachers() != null) {
      ObjectNode per = n.putObject("teachers");
      o.teachers().forEach((task, t) -> per.set(task, teacher(t)));
    }
    putIf(n, "adahit_version", o.version());
    if (o.mergedFrom() != null) {
      ArrayNode files = n.putArray("merged_from");
      o.mergedFrom().forEach(files::add);
    }
    return n;
  }

  /** The {@code lengths} entry: per skill {@code {text_truncate, label_truncate, from}}. */
  public static ObjectNode lengths(Map<String, TextLengths> lengths) {
    ObjectNode per = NODES.objectNode();
    lengths.forEach(
        (skill, l) ->
            per.putObject(skill)
                .put("text_truncate", l.text())
                .put("label_truncate", l.label())
                .put("from", l.origin().label()));
    return per;
  }

  private static ObjectNode teacher(RunOptions.TeacherInfo t) {
    ObjectNode n = NODES.objectNode();
    putIf(n, "data_file", t.dataFile());
    putIf(n, "sha256", t.sha256());
    if (t.episodes() != null) {
      n.put("episodes", t.episodes());
    }
    if (t.examples() != null) {
      n.put("examples", t.examples());
    }
    putIf(n, "candidates", t.candidates());
    if (t.knownDifferences() != null) {
      ArrayNode a = n.putArray("known_differences");
      t.knownDifferences().forEach(a::add);
    }
    return n;
  }

  private static void putIf(ObjectNode n, String key, String value) {
    if (value != null) {
      n.put(key, value);
    }
  }

  /**
   * Reads an {@code "opt"} object.
   *
   * @throws IOException if an entry has the wrong type (the message names the file and entry)
   */
  public static RunOptions read(Path file, JsonNode n) throws IOException {
    JsonFields f = new JsonFields(file, "opt", n);
    boolean hasData = n.has("task") || n.has("datatype") || n.has("num_examples");
    RunOptions.Data data =
        hasData
            ? new RunOptions.Data(
                f.text("task"),
                f.text("datatype"),
                f.integer("num_examples"),
                f.integer("batchsize"),
                f.text("eval_candidates"),
                f.text("fixed_candidates_path"),
                f.text("fromfile_datapath"),
                f.count("seed"),
                f.text("datapath"),
                f.integer("text_truncate"),
                f.integer("label_truncate"),
                f.bool("ignore_bad_candidates"))
            : null;
    ObjectNode target = NODES.objectNode();
    n.properties()
        .forEach(
            e -> {
              if (!TYPED.contains(e.getKey())) {
                target.set(e.getKey(), e.getValue().deepCopy());
              }
            });
    return new RunOptions(
        data,
        f.integer("num_shards"),
        f.integer("shard_id"),
        f.text("model"),
        target,
        lengths(f, n.get("lengths")),
        f.text("backbone"),
        f.text("backbone_fingerprint"),
        teachers(file, n.get("teachers")),
        f.text("adahit_version"),
        f.texts("merged_from"));
  }

  private static Map<String, TextLengths> lengths(JsonFields f, JsonNode n) throws IOException {
    if (n == null) {
      return null;
    }
    Map<String, TextLengths> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : f.object("lengths").properties()) {
      JsonFields l = new JsonFields(f.file, "opt.lengths." + e.getKey(), e.getValue());
      String from = l.text("from");
      TextLengths.Origin origin = null;
      for (TextLengths.Origin o : TextLengths.Origin.values()) {
        if (o.label().equals(from)) {
          origin = o;
        }
      }
      if (origin == null) {
        throw l.wrong("from", "one of training, default, override, server");
      }
      Integer text = l.integer("text_truncate");
      Integer label = l.integer("label_truncate");
      if (text == null || label == null) {
        throw l.wrong(text == null ? "text_truncate" : "label_truncate", "a length");
      }
      try {
        out.put(e.getKey(), new TextLengths(text, label, origin));
      } catch (IllegalArgumentException ex) {
        throw new IOException(f.file + ": opt.lengths." + e.getKey() + ": " + ex.getMessage(), ex);
      }
    }
    return out;
  }

  private static Map<String, RunOptions.TeacherInfo> teachers(Path file, JsonNode n)
      throws IOException {
    if (n == null) {
      return null;
    }
    JsonFields all = new JsonFields(file, "opt", null);
    if (!n.isObject()) {
      throw all.wrong("teachers", "an object of tasks");
    }
    Map<String, RunOptions.TeacherInfo> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      JsonFields t = new JsonFields(file, "opt.teachers." + e.getKey(), e.getValue());
      out.put(
          e.getKey(),
          new RunOptions.TeacherInfo(
              t.text("data_file"),
              t.text("sha256"),
              t.count("episodes"),
              t.count("examples"),
              t.text("candidates"),
              t.texts("known_differences")));
    }
    return out;
  }
}
