package io.adahit.eval.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adahit.eval.metrics.ExampleMetrics;
import io.adahit.eval.report.OptionsJson;
import io.adahit.eval.report.RunOptions;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Writes an evaluation's conversations in ParlAI's Conversations JSONL ({@code --world-logs}): one
 * line per episode, {@code {"dialog": [[teacher turn, agent turn], ...], "context": [],
 * "metadata_path": ...}}, and the sidecar {@code <file>.metadata} {@code {date, opt, self_chat,
 * speakers, version}}. Each line is flushed when its episode ends.
 */
public final class WorldLogWriter implements Evaluator.Listener, AutoCloseable {

  /** Candidates kept in each agent turn's text_candidates. */
  private static final int LOGGED_CANDIDATES = 10;

  private final ObjectMapper json;
  private final Path file;
  private final BufferedWriter out;
  private final String agentId;
  private ArrayNode dialog;
  private int episode = -1;

  public WorldLogWriter(
      ObjectMapper json, Path file, String agentId, List<String> speakers, RunOptions opt)
      throws IOException {
    this.json = json;
    this.file = file;
    this.agentId = agentId;
    if (file.toAbsolutePath().getParent() != null) {
      Files.createDirectories(file.toAbsolutePath().getParent());
    }
    ObjectNode meta = json.createObjectNode();
    meta.put("date", Instant.now().toString());
    meta.set("opt", OptionsJson.write(opt));
    meta.put("self_chat", false);
    meta.set("speakers", json.valueToTree(speakers));
    meta.put("version", "0.1");
    Files.write(metadataPath(), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
    this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
  }

  private Path metadataPath() {
    return file.resolveSibling(file.getFileName() + ".metadata");
  }

  @Override
  public void ranked(EvalExample e, List<String> top, float[] topScores, ExampleMetrics metrics)
      throws IOException {
    if (e.episode() != episode) {
      flushEpisode();
      episode = e.episode();
      dialog = json.createArrayNode();
    }
    ObjectNode teacher = json.createObjectNode();
    teacher.put("id", e.example().id());
    teacher.put("text", e.example().text());
    teacher.set("eval_labels", json.valueToTree(e.example().evalLabels()));
    teacher.put("episode_done", e.example().episodeDone());
    e.example().fields().forEach(teacher::put);
    ObjectNode agent = json.createObjectNode();
    agent.put("id", agentId);
    agent.put("text", top.isEmpty() ? "" : top.get(0));
    agent.set(
        "text_candidates",
        json.valueToTree(top.subList(0, Math.min(LOGGED_CANDIDATES, top.size()))));
    agent.put("episode_done", false);
    if (metrics != null) {
      ObjectNode m = agent.putObject("metrics"); // as a ParlAI ranker's reply carries them
      m.put("rank", metrics.rank());
      m.put("mrr", metrics.mrr());
    }
    dialog.add(json.createArrayNode().add(teacher).add(agent));
    if (e.example().episodeDone()) {
      flushEpisode();
    }
  }

  private void flushEpisode() throws IOException {
    if (dialog == null || dialog.isEmpty()) {
      return;
    }
    ObjectNode line = json.createObjectNode();
    line.set("dialog", dialog);
    line.putArray("context");
    line.put("metadata_path", metadataPath().toString());
    out.write(json.writeValueAsString(line));
    out.newLine();
    out.flush();
    dialog = null;
  }

  @Override
  public void close() throws IOException {
    flushEpisode();
    out.close();
  }
}
