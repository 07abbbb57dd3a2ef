package io.adahit.eval.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.EncodeOptions;
import io.adahit.agents.backbone.Truncation;
import io.adahit.agents.ranker.EmbeddingCache;
import io.adahit.agents.ranker.Ranker;
import io.adahit.agents.ranker.RankerOptions;
import io.adahit.agents.ranker.TextEncoder;
import io.adahit.eval.harness.CandidateMode;
import io.adahit.eval.harness.ContextBuilder;
import io.adahit.eval.harness.EvalExample;
import io.adahit.eval.harness.Evaluator;
import io.adahit.eval.harness.TaskResult;
import io.adahit.eval.harness.WorldLogWriter;
import io.adahit.eval.metrics.MultiTaskReport;
import io.adahit.eval.metrics.Report;
import io.adahit.eval.metrics.ReportWriter;
import io.adahit.eval.teachers.Datatype;
import io.adahit.eval.teachers.Teacher;
import io.adahit.eval.teachers.TeacherOptions;
import io.adahit.eval.teachers.TeacherRegistry;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** ParlAI's {@code eval_model} for retrieval agents: hits@1/K on the real task files. */
@Command(name = "eval_model", mixinStandardHelpOptions = true,
    description = {"Evaluate a ranking agent on ParlAI tasks: hits@1/5/10/100, MRR, mean rank.",
        "Flags follow ParlAI's eval_model. Example: adahit eval_model -t convai2,blended_skill_talk -rf report.json"})
final class EvalModelCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin BackboneOption backbone;

  @Option(names = {"-t", "--task"}, required = true, split = ",",
      description = "Comma list: convai2, wizard_of_wikipedia, empathetic_dialogues, blended_skill_talk, fromfile.")
  List<String> tasks;

  @Option(names = {"-dt", "--datatype"}, defaultValue = "valid", description = "valid or test (default: ${DEFAULT-VALUE}).")
  String datatype;

  @Option(names = {"-ne", "--num-examples"}, defaultValue = "-1", description = "Examples per task, -1 for all (default: ${DEFAULT-VALUE}).")
  int numExamples;

  @Option(names = {"-bs", "--batchsize"}, defaultValue = "32", description = "Examples ranked per call; K in batch mode (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = {"-rf", "--report-filename"}, paramLabel = "FILE", description = "Write {\"opt\": ..., \"report\": ...} here.")
  Path reportFile;

  @Option(names = {"-ecands", "--eval-candidates"}, defaultValue = "inline",
      description = "inline (each example's label_candidates), batch (the batch's labels) or fixed (-fcp) (default: ${DEFAULT-VALUE}).")
  String evalCandidates;

  @Option(names = {"-fcp", "--fixed-candidates-path"}, paramLabel = "FILE", description = "Candidates for -ecands fixed, one per line.")
  Path fixedCandidatesPath;

  @Option(names = "--world-logs", paramLabel = "FILE", description = "Write the conversations as ParlAI Conversations JSONL.")
  Path worldLogs;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of the sampled negatives (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = {"-dp", "--datapath"}, defaultValue = "../shared/data", description = "Data folder (default: ${DEFAULT-VALUE}).")
  Path datapath;

  @Option(names = "--ignore-bad-candidates", description = "Skip (and count) examples whose label is not among the candidates.")
  boolean ignoreBadCandidates;

  @Option(names = "--text-truncate", defaultValue = "256", description = "Context word pieces, oldest dropped first (default: ${DEFAULT-VALUE}).")
  int textTruncate;

  @Option(names = "--label-truncate", defaultValue = "128", description = "Candidate word pieces (default: ${DEFAULT-VALUE}).")
  int labelTruncate;

  @Option(names = "--cache-dir", defaultValue = ".cache/embeddings",
      description = "Embedding cache: a second run re-encodes nothing (default: ${DEFAULT-VALUE}).")
  Path cacheDir;

  @Option(names = "--no-cache", description = "Encode everything, read and write no cache.")
  boolean noCache;

  @Override
  public Integer call() throws Exception {
    CandidateMode mode = parseMode(evalCandidates);
    Datatype dt = Datatype.parse(datatype);
    List<String> fixed = List.of();
    if (mode == CandidateMode.FIXED) {
      if (fixedCandidatesPath == null) {
        throw new IllegalArgumentException("-ecands fixed needs -fcp FILE (one candidate per line)");
      }
      fixed = Files.readAllLines(fixedCandidatesPath, StandardCharsets.UTF_8).stream()
          .filter(l -> !l.isBlank()).toList();
    }
    TeacherRegistry registry = TeacherRegistry.builtIn();
    List<Teacher> teachers = new ArrayList<>();
    for (String task : tasks) {
      teachers.add(registry.create(task.trim(), TeacherOptions.of(datapath, dt).withSeed(seed)));
    }
    PrintWriter err = spec.commandLine().getErr();
    ObjectMapper json = new ObjectMapper();
    long t0 = System.nanoTime();
    try (Backbone b = backbone.load()) {
      String agentId = "zero-shot:" + b.name();
      EmbeddingCache cache = noCache ? null
          : new EmbeddingCache(TextEncoder.of(b), b.fingerprint() + "/zero-shot", cacheDir);
      TextEncoder encoder = cache != null ? cache : TextEncoder.of(b);
      EncodeOptions base = EncodeOptions.defaults().withBatchSize(32);
      RankerOptions rankerOptions = new RankerOptions(
          base.withMaxLength(textTruncate).withTruncation(Truncation.KEEP_END),
          base.withMaxLength(labelTruncate).withTruncation(Truncation.KEEP_START));
      Ranker ranker = new Ranker(encoder, rankerOptions);
      Evaluator evaluator = new Evaluator(ranker, batchSize, ignoreBadCandidates);
      Map<String, Object> opt = opt(b, teachers, mode);
      LinkedHashMap<String, Report> reports = new LinkedHashMap<>();
      List<TaskResult> results = new ArrayList<>();
      try (WorldLogWriter logs = worldLogs == null ? null
          : new WorldLogWriter(json, worldLogs, agentId, List.of(String.join(",", tasks), agentId), opt)) {
        for (Teacher teacher : teachers) {
          List<EvalExample> examples = ContextBuilder.build(teacher, numExamples);
          if (numExamples > teacher.numExamples()) {
            err.printf("warning: -ne %d is more than the %d examples of %s %s; evaluating all %d%n",
                numExamples, teacher.numExamples(), teacher.task(), dt, teacher.numExamples());
          }
          long hits0 = cache == null ? 0 : cache.hits();
          long miss0 = cache == null ? 0 : cache.misses();
          long start = System.nanoTime();
          Report report;
          long texts = Evaluator.textsToEncode(examples, mode, fixed, batchSize);
          try (ProgressReporter progress = new ProgressReporter(teacher.task(), texts, "texts", System.err)) {
            report = evaluator.evaluate(examples, mode, fixed, progress, logs);
          }
          double wall = (System.nanoTime() - start) / 1e9;
          reports.put(teacher.task(), report);
          results.add(new TaskResult(teacher.task(), report, wall,
              cache == null ? -1 : cache.misses() - miss0, cache == null ? -1 : cache.hits() - hits0));
        }
      }
      Map<String, Number> reportMap = new LinkedHashMap<>(new MultiTaskReport(reports).toMap());
      double total = (System.nanoTime() - t0) / 1e9;
      for (TaskResult r : results) {
        String prefix = results.size() > 1 ? r.task() + "/" : "";
        reportMap.put(prefix + "wall_time_s", round(r.wallSeconds()));
        reportMap.put(prefix + "exs_per_s", round(r.examplesPerSecond()));
        if (r.encodedTexts() >= 0) {
          reportMap.put(prefix + "encoded_texts", r.encodedTexts());
          reportMap.put(prefix + "cached_texts", r.cachedTexts());
        }
      }
      reportMap.put("total_wall_time_s", round(total));
      ResultTable.print(spec.commandLine().getOut(), results, total);
      if (reportFile != null) {
        new ReportWriter(json).write(reportFile, opt, reportMap);
        err.println("report written to " + reportFile);
      }
    }
    return 0;
  }

  private Map<String, Object> opt(Backbone b, List<Teacher> teachers, CandidateMode mode) {
    Map<String, Object> opt = new LinkedHashMap<>();
    opt.put("task", String.join(",", tasks));
    opt.put("datatype", datatype);
    opt.put("num_examples", numExamples);
    opt.put("batchsize", batchSize);
    opt.put("eval_candidates", mode.name().toLowerCase());
    if (fixedCandidatesPath != null) {
      opt.put("fixed_candidates_path", fixedCandidatesPath.toString());
    }
    opt.put("seed", seed);
    opt.put("datapath", datapath.toString());
    opt.put("text_truncate", textTruncate);
    opt.put("label_truncate", labelTruncate);
    opt.put("ignore_bad_candidates", ignoreBadCandidates);
    opt.put("model", "bi-encoder ranker, dot product of mean-pooled L2-normalised embeddings");
    opt.put("skill", "none (zero-shot backbone)");
    opt.put("backbone", b.name());
    opt.put("backbone_fingerprint", b.fingerprint());
    Map<String, Object> perTask = new LinkedHashMap<>();
    for (Teacher t : teachers) {
      Map<String, Object> info = new LinkedHashMap<>();
      info.put("data_file", t.dataFile().toString());
      info.put("episodes", t.numEpisodes());
      info.put("examples", t.numExamples());
      info.put("candidates", mode == CandidateMode.INLINE ? t.candidateSource()
          : mode == CandidateMode.BATCH ? "the batch's labels, K = " + batchSize
          : "fixed list " + fixedCandidatesPath);
      info.put("known_differences", t.knownDifferences());
      perTask.put(t.task(), info);
    }
    opt.put("teachers", perTask);
    return opt;
  }

  private static CandidateMode parseMode(String s) {
    return switch (s.toLowerCase()) {
      case "inline" -> CandidateMode.INLINE;
      case "batch" -> CandidateMode.BATCH;
      case "fixed" -> CandidateMode.FIXED;
      default -> throw new IllegalArgumentException(
          "-ecands must be inline, batch or fixed, found '" + s + "'");
    };
  }

  private static double round(double x) {
    return Math.round(x * 1000) / 1000.0;
  }
}
