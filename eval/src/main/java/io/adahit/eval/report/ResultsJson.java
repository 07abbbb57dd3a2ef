package io.adahit.eval.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adahit.eval.harness.Contamination;
import io.adahit.eval.metrics.Report;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@link RunResults} as a report's flat {@code "report"} object with ParlAI's keys and its {@code
 * "counts"} object, and back. With several tasks a task's entries are prefixed {@code task/};
 * ParlAI's metrics come first (all tasks', then each task's), then the contamination verdict, the
 * routing counts, each task's timing, cache and token counts, and the run's totals.
 *
 * <pre>{@code
 * ObjectNode report = ResultsJson.write(results);   // {"exs": ..., "hits@1": ..., ...}
 * ObjectNode counts = ResultsJson.counts(results);  // {"convai2": {"exs": ..., "rank_counts": ...}}
 * }</pre>
 */
public final class ResultsJson {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ResultsJson() {}

  /** The {@code "report"} object. */
  public static ObjectNode write(RunResults r) {
    ObjectNode n = NODES.objectNode();
    boolean several = r.tasks().size() > 1;
    putMetrics(n, "", r.overall());
    if (several) {
      r.tasks().forEach(t -> putMetrics(n, t.task() + "/", t.metrics()));
    }
    if (r.contaminated() != null) {
      n.put("contaminated", r.contaminated());
      if (!r.contamination().isEmpty()) {
        r.contamination().forEach(c -> n.withArray("contamination").add(contamination(c)));
      }
    }
    if (r.routing() != null) {
      putRouting(n, "", r.routing());
    }
    for (TaskRun t : r.tasks()) {
      if (t.routing() != null) {
        putRouting(n, prefix(r, t), t.routing());
      }
    }
    for (TaskRun t : r.tasks()) {
      String p = prefix(r, t);
      putIf(n, p + "wall_time_s", t.wallSeconds());
      putIf(n, p + "exs_per_s", t.exsPerSecond());
      putIf(n, p + "exps", t.exps()); // ParlAI's name for examples per second
      putIf(n, p + "encoded_texts", t.encodedTexts());
      putIf(n, p + "cached_texts", t.cachedTexts());
      putTokens(n, p, t.tokens());
    }
    putIf(n, "total_wall_time_s", r.totalWallSeconds());
    putIf(n, "exps", r.exps());
    putTokens(n, "total_", r.totalTokens());
    return n;
  }

  /** The {@code "counts"} object; null when a task has none. */
  public static ObjectNode counts(RunResults r) {
    if (r.tasks().stream().anyMatch(t -> t.counts() == null)) {
      return null;
    }
    ObjectNode n = NODES.objectNode();
    for (TaskRun t : r.tasks()) {
      TaskCounts c = t.counts();
      ObjectNode o = n.putObject(t.task());
      o.put(Report.EXS, c.exs());
      o.put(Report.BAD_CANDIDATES, c.badCandidates());
      o.put("ignore_bad_candidates", c.ignoreBadCandidates());
      Map<Integer, ObjectNode> byK = new TreeMap<>();
      for (Report.RankCount rc : c.rankCounts()) {
        byK.computeIfAbsent(rc.numCandidates(), k -> NODES.objectNode())
            .put(Integer.toString(rc.rank()), rc.count());
      }
      ObjectNode ranks = o.putObject("rank_counts");
      byK.forEach((k, v) -> ranks.set(Integer.toString(k), v));
      if (c.f1Counts() != null) {
        ObjectNode f1 = o.putObject("f1_counts");
        c.f1Counts().forEach(x -> f1.put(x.numerator() + "/" + x.denominator(), x.count()));
      }
    }
    return n;
  }

  private static String prefix(RunResults r, TaskRun t) {
    return r.tasks().size() > 1 ? t.task() + "/" : "";
  }

  private static void putMetrics(ObjectNode n, String p, Metrics m) {
    n.put(p + Report.EXS, m.exs());
    putIf(n, p + Report.ACCURACY, m.accuracy());
    putIf(n, p + Report.F1, m.f1());
    putIf(n, p + Report.hitsKey(1), m.hits1());
    putIf(n, p + Report.hitsKey(5), m.hits5());
    putIf(n, p + Report.hitsKey(10), m.hits10());
    putIf(n, p + Report.hitsKey(100), m.hits100());
    putIf(n, p + Report.MRR, m.mrr());
    putIf(n, p + Report.RANK, m.rank());
    putIf(n, p + Report.BAD_CANDIDATES, m.badCandidates());
  }

  private static void putRouting(ObjectNode n, String p, TaskRun.Routing r) {
    putIf(n, p + "routing_accuracy", r.accuracy());
    ObjectNode routed = n.putObject(p + "routed");
    r.routed().forEach(routed::put);
  }

  private static void putTokens(ObjectNode n, String p, TaskRun.Tokens t) {
    if (t != null) {
      n.put(p + "encoded_tokens", t.encoded());
      n.put(p + "padded_tokens", t.padded());
      n.put(p + "tokens_per_s", t.perSecond());
    }
  }

  private static ObjectNode contamination(Contamination c) {
    return NODES
        .objectNode()
        .put("task", c.task())
        .put("data_file", c.dataFile().toString())
        .put("sha256", c.sha256())
        .put("adapter", c.skill())
        .put("training_file", c.trainingPath());
  }

  private static void putIf(ObjectNode n, String key, Double v) {
    if (v != null) {
      n.put(key, v);
    }
  }

  private static void putIf(ObjectNode n, String key, Long v) {
    if (v != null) {
      n.put(key, v);
    }
  }

  /**
   * Reads a {@code "report"} and its {@code "counts"}.
   *
   * @param counts the counts object, or null when the file has none
   * @param taskList the run's {@code -t} list (opt.task), for a file without counts; may be null
   * @throws IOException if an entry has the wrong type or the counts are malformed (the message
   *     names the file and the entry)
   */
  public static RunResults read(Path file, JsonNode report, JsonNode counts, String taskList)
      throws IOException {
    Map<String, TaskCounts> byTask = new LinkedHashMap<>();
    if (counts != null) {
      if (!counts.isObject()) {
        throw new IOException(file + ": \"counts\" must be an object of tasks");
      }
      for (Map.Entry<String, JsonNode> e : counts.properties()) {
        byTask.put(e.getKey(), CountsJson.read(file, e.getKey(), e.getValue()));
      }
    }
    List<String> names = new ArrayList<>(byTask.keySet());
    if (names.isEmpty()) {
      names.addAll(
          taskList == null ? List.of("unknown") : List.of(taskList.trim().split("\\s*,\\s*")));
    }
    JsonFields f = new JsonFields(file, "report", report);
    boolean several = names.size() > 1;
    List<TaskRun> tasks = new ArrayList<>();
    for (String task : names) {
      String p = several ? task + "/" : "";
      tasks.add(
          new TaskRun(
              task,
              metrics(f, p),
              routing(f, p),
              f.number(p + "wall_time_s"),
              f.number(p + "exs_per_s"),
              f.number(p + "exps"),
              f.count(p + "encoded_texts"),
              f.count(p + "cached_texts"),
              tokens(f, p),
              byTask.get(task)));
    }
    List<Contamination> found = new ArrayList<>();
    JsonNode list = report.get("contamination");
    if (list != null && list.isArray()) {
      for (JsonNode c : list) {
        JsonFields e = new JsonFields(file, "report.contamination[]", c);
        found.add(
            new Contamination(
                e.text("task"),
                Path.of(e.text("data_file")),
                e.text("sha256"),
                e.text("adapter"),
                e.text("training_file")));
      }
    }
    return new RunResults(
        several ? metrics(f, "") : tasks.get(0).metrics(),
        tasks,
        f.bool("contaminated"),
        found,
        several ? routing(f, "") : null,
        f.number("total_wall_time_s"),
        several ? f.number("exps") : null,
        tokens(f, "total_"));
  }

  private static Metrics metrics(JsonFields f, String p) throws IOException {
    Long exs = f.count(p + Report.EXS);
    return new Metrics(
        exs == null ? 0 : exs,
        f.number(p + Report.ACCURACY),
        f.number(p + Report.F1),
        f.number(p + Report.hitsKey(1)),
        f.number(p + Report.hitsKey(5)),
        f.number(p + Report.hitsKey(10)),
        f.number(p + Report.hitsKey(100)),
        f.number(p + Report.MRR),
        f.number(p + Report.RANK),
        f.count(p + Report.BAD_CANDIDATES));
  }

  /** A task's (or the run's) routing: present when the report lists {@code routed} counts. */
  private static TaskRun.Routing routing(JsonFields f, String p) throws IOException {
    JsonNode routed = f.object(p + "routed");
    if (routed == null) {
      return null;
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    JsonFields r = new JsonFields(f.file, "report." + p + "routed", routed);
    for (Map.Entry<String, JsonNode> e : routed.properties()) {
      Long n = r.count(e.getKey());
      if (n == null) {
        throw r.wrong(e.getKey(), "a count");
      }
      counts.put(e.getKey(), n);
    }
    return new TaskRun.Routing(f.number(p + "routing_accuracy"), counts);
  }

  private static TaskRun.Tokens tokens(JsonFields f, String p) throws IOException {
    Long encoded = f.count(p + "encoded_tokens");
    Long padded = f.count(p + "padded_tokens");
    Double perSecond = f.number(p + "tokens_per_s");
    return encoded == null || padded == null || perSecond == null
        ? null
        : new TaskRun.Tokens(encoded, padded, perSecond);
  }
}
