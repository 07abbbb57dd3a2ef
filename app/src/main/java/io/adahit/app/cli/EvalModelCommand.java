package io.adahit.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.agents.ToolVersion;
import io.adahit.agents.adapters.TextLengths;
import io.adahit.agents.backbone.Backbone;
import io.adahit.app.ProgressStream;
import io.adahit.eval.harness.CandidateMode;
import io.adahit.eval.harness.Contamination;
import io.adahit.eval.harness.EvalPlan;
import io.adahit.eval.harness.EvalTarget;
import io.adahit.eval.harness.Shard;
import io.adahit.eval.harness.TaskResult;
import io.adahit.eval.harness.WorldLogWriter;
import io.adahit.eval.report.ReportWriter;
import io.adahit.eval.report.RunOptions;
import io.adahit.eval.report.RunResults;
import io.adahit.eval.teachers.Teacher;
import io.adahit.eval.teachers.TeacherRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** ParlAI's {@code eval_model} for retrieval agents: hits@1/K on the real task files. */
@Command(
    name = "eval_model",
    mixinStandardHelpOptions = true,
    description = {
      "Evaluate a ranking agent on ParlAI tasks: hits@1/5/10/100, MRR, mean rank.",
      "Flags follow ParlAI's eval_model. Example: adahit eval_model -t convai2,blended_skill_talk -rf report.json",
      "Sharded: adahit eval_model -t convai2 --num-shards 4 --shard-id 0 -rf shard-0.json; then merge_reports.",
      "Against a live server: adahit eval_model -t convai2 --server 127.0.0.1:50051 --skill convai2",
      "Through a router: adahit eval_model -t convai2,empathetic_dialogues --skill auto (skills/auto is a router)"
    })
final class EvalModelCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin BackboneOption backbone;

  @Mixin EvalDataOptions data;

  @Mixin ModelOptions model;

  @Option(
      names = {"-rf", "--report-filename"},
      paramLabel = "FILE",
      description =
          "Write {\"opt\": ..., \"report\": ..., \"counts\": ...} here (counts make shard reports mergeable).")
  Path reportFile;

  @Option(
      names = "--world-logs",
      paramLabel = "FILE",
      description = "Write the conversations as ParlAI Conversations JSONL.")
  Path worldLogs;

  @Option(
      names = "--num-shards",
      defaultValue = "1",
      description =
          "Split the run into N slices by episode (default: ${DEFAULT-VALUE}); merge their -rf files with merge_reports.")
  int numShards;

  @Option(
      names = "--shard-id",
      defaultValue = "0",
      description = "Which slice, 0..N-1 (default: ${DEFAULT-VALUE}).")
  int shardId;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    data.validate();
    model.validate(backbone.given(), data.truncationGiven());
    Shard shard = new Shard(numShards, shardId);
    CandidateMode mode = data.mode();
    List<String> fixed = data.fixedCandidates();
    // everything about the data is read and checked before the model is loaded
    List<Teacher> teachers = data.teachers(TeacherRegistry.builtIn());
    List<EvalPlan.Task> tasks =
        EvalPlan.prepare(
            teachers, data.numExamples, shard, mode, fixed, data.batchSize, err::println);
    err.flush();
    ObjectMapper json = new ObjectMapper();
    long t0 = System.nanoTime();
    try (Backbone b = model.isRemote() ? null : backbone.load(); // a server ranks with its own
        EvalTarget m = model.load(b, data.batchSize)) {
      List<Contamination> contaminations = new ArrayList<>();
      for (Teacher t : teachers) {
        Contamination.find(t.task(), t.dataFile(), m.trainingFiles())
            .ifPresent(contaminations::add);
      }
      Banner.contamination(err, contaminations);
      RunOptions opt = opt(b, m, teachers, mode, shard);
      err.println(
          "text lengths (context/candidate word pieces): "
              + LengthsOpt.describe(m.lengths(data.overrides())));
      List<TaskResult> results;
      try (WorldLogWriter logs =
          worldLogs == null
              ? null
              : new WorldLogWriter(
                  json,
                  worldLogs,
                  m.agentId(),
                  List.of(String.join(",", data.tasks), m.agentId()),
                  opt)) {
        results =
            new TaskRunner(data, ProgressStream.of(err), b == null ? null : b.encoder()::work)
                .run(m, tasks, fixed, null, logs);
      }
      double total = (System.nanoTime() - t0) / 1e9;
      RunResults report = RunResults.of(results, total, m.checksContamination(), contaminations);
      ResultTable.print(spec.commandLine().getOut(), results, total);
      Banner.contamination(err, contaminations); // again, after the table, so it is not missed
      if (reportFile != null) {
        new ReportWriter(json).write(reportFile, opt, report);
        err.println("report written to " + reportFile);
      }
    }
    return 0;
  }

  /** The run's opt: the data options, shard, model, lengths, backbone, data files and version. */
  private RunOptions opt(
      Backbone b, EvalTarget m, List<Teacher> teachers, CandidateMode mode, Shard shard)
      throws IOException {
    Map<String, TextLengths> lengths = m.lengths(data.overrides());
    Map<String, RunOptions.TeacherInfo> perTask = new LinkedHashMap<>();
    for (Teacher t : teachers) {
      String candidates =
          mode == CandidateMode.INLINE
              ? t.candidateSource()
              : mode == CandidateMode.BATCH
                  ? "the batch's labels, K = " + data.batchSize
                  : "fixed list " + data.fixedCandidatesPath;
      perTask.put(t.task(), RunOptions.TeacherInfo.of(t, candidates));
    }
    return new RunOptions(
        data.opt(LengthsOpt.truncation(lengths, data.overrides())),
        shard.isSharded() ? shard.numShards() : null,
        shard.isSharded() ? shard.shardId() : null,
        RunOptions.MODEL,
        RunOptions.describe(m),
        lengths,
        b == null ? null : b.name(),
        b == null ? null : b.fingerprint(),
        perTask,
        ToolVersion.version(),
        null);
  }
}
