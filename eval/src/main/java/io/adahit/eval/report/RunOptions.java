package io.adahit.eval.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.adapters.TextLengths;
import io.adahit.eval.harness.EvalTarget;
import io.adahit.eval.teachers.Teacher;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code "opt"} of an eval_model run, typed: the data options with ParlAI's names, the shard,
 * the evaluated model, the lengths each skill ranked at, the backbone, each task's data file (with
 * its SHA-256), and the version of this tool. {@link OptionsJson} writes it with ParlAI's keys, in
 * this order. A null field is one the report does not record.
 *
 * <pre>{@code
 * RunOptions opt = new RunOptions(data, 4, 0, RunOptions.MODEL, RunOptions.describe(target),
 *     lengths, backbone.name(), backbone.fingerprint(), teachers, ToolVersion.version(), null);
 * }</pre>
 *
 * @param data which examples and candidates, how texts were truncated
 * @param numShards with {@code --num-shards}: N; else null
 * @param shardId with {@code --num-shards}: this shard; else null
 * @param model what kind of model ranked ({@link #MODEL})
 * @param target the evaluated model's own entries ({@link EvalTarget#describe()}: skill, adapter or
 *     router files and fingerprints, or the server), in order; kept as JSON because they differ by
 *     kind of model; entries of older reports that no field holds are kept here too
 * @param lengths the lengths each skill ranked at, or null (reports of older runs)
 * @param backbone the backbone's name, or null when a server ranked
 * @param backboneFingerprint its fingerprint, or null
 * @param teachers per task: the data file and what the teacher read
 * @param version this tool's version ({@link io.adahit.agents.ToolVersion}), or null (reports of
 *     older runs)
 * @param mergedFrom the shard files a merged report was made of, or null
 */
public record RunOptions(
    Data data,
    Integer numShards,
    Integer shardId,
    String model,
    ObjectNode target,
    Map<String, TextLengths> lengths,
    String backbone,
    String backboneFingerprint,
    Map<String, TeacherInfo> teachers,
    String version,
    List<String> mergedFrom) {

  /** What eval_model's model is. */
  public static final String MODEL =
      "bi-encoder ranker, dot product of mean-pooled L2-normalised embeddings";

  public RunOptions {
    target = target == null ? JsonNodeFactory.instance.objectNode() : target.deepCopy();
    lengths = lengths == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(lengths));
    teachers = teachers == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(teachers));
    mergedFrom = mergedFrom == null ? null : List.copyOf(mergedFrom);
  }

  /** The options of the report merged from these shard files: no shard id, the files listed. */
  public RunOptions mergedFrom(List<String> files) {
    return new RunOptions(
        data,
        numShards,
        null,
        model,
        target,
        lengths,
        backbone,
        backboneFingerprint,
        teachers,
        version,
        files);
  }

  /** The model's own entries ({@link EvalTarget#describe()}) as JSON. */
  public static ObjectNode describe(EvalTarget target) {
    return new ObjectMapper().valueToTree(target.describe());
  }

  /**
   * The data and ranking options, ParlAI's names.
   *
   * @param task the {@code -t} list, comma-joined
   * @param datatype valid or test
   * @param numExamples {@code -ne}
   * @param batchsize {@code -bs}
   * @param evalCandidates inline, batch or fixed
   * @param fixedCandidatesPath {@code -fcp}, or null
   * @param fromfileDatapath {@code --fromfile-datapath}, or null
   * @param seed seed of the sampled negatives
   * @param datapath the data folder
   * @param textTruncate the context length every skill ranked at, else the flag (null: each skill
   *     its own)
   * @param labelTruncate the same for candidates
   * @param ignoreBadCandidates whether bad-candidate examples were skipped
   */
  public record Data(
      String task,
      String datatype,
      Integer numExamples,
      Integer batchsize,
      String evalCandidates,
      String fixedCandidatesPath,
      String fromfileDatapath,
      Long seed,
      String datapath,
      Integer textTruncate,
      Integer labelTruncate,
      Boolean ignoreBadCandidates) {}

  /**
   * What one task's teacher read.
   *
   * @param dataFile the file
   * @param sha256 its SHA-256 (lowercase hex), or null (reports of older runs)
   * @param episodes episodes in it
   * @param examples examples in it
   * @param candidates where the candidates came from
   * @param knownDifferences how this teacher differs from ParlAI's
   */
  public record TeacherInfo(
      String dataFile,
      String sha256,
      Long episodes,
      Long examples,
      String candidates,
      List<String> knownDifferences) {

    public TeacherInfo {
      knownDifferences = knownDifferences == null ? null : List.copyOf(knownDifferences);
    }

    /**
     * What {@code t} read, its data file hashed.
     *
     * @param candidates where the run's candidates came from
     * @throws IOException if the data file cannot be read
     */
    public static TeacherInfo of(Teacher t, String candidates) throws IOException {
      return new TeacherInfo(
          t.dataFile().toString(),
          AdapterFiles.sha256(t.dataFile()),
          (long) t.numEpisodes(),
          (long) t.numExamples(),
          candidates,
          t.knownDifferences());
    }
  }
}
