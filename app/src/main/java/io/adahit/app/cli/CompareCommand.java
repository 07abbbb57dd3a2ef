package io.adahit.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adahit.agents.adapters.TextLengths;
import io.adahit.agents.backbone.Backbone;
import io.adahit.app.ProgressStream;
import io.adahit.eval.harness.Contamination;
import io.adahit.eval.harness.EvalExample;
import io.adahit.eval.harness.EvalPlan;
import io.adahit.eval.harness.EvalTarget;
import io.adahit.eval.harness.Outcomes;
import io.adahit.eval.harness.RankingModel;
import io.adahit.eval.harness.RoutedModel;
import io.adahit.eval.harness.Shard;
import io.adahit.eval.harness.TaskResult;
import io.adahit.eval.metrics.PairedComparison;
import io.adahit.eval.report.OptionsJson;
import io.adahit.eval.report.ReportWriter;
import io.adahit.eval.report.ResultsJson;
import io.adahit.eval.report.RunOptions;
import io.adahit.eval.report.RunResults;
import io.adahit.eval.teachers.Teacher;
import io.adahit.eval.teachers.TeacherRegistry;
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

/** Offline A/B test: two configurations ranked on the same examples, hits@1 compared. */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = {
      "Score two configurations (skills, adapter directories or the zero-shot backbone) on the same"
          + " examples: each one's hits@1, the difference B - A with a 95%% paired-bootstrap interval, and McNemar's test.",
      "Example: adahit compare -t blended_skill_talk --a-skill base --b-skill blended_skill_talk -rf ab.json",
      "A side with neither --x-skill nor --x-adapter is the zero-shot backbone."
    })
final class CompareCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin BackboneOption backbone;

  @Mixin EvalDataOptions data;

  @Option(
      names = "--a-skill",
      paramLabel = "NAME",
      description =
          "A: this skill from --skills-dir (a router skill such as auto routes each example).")
  String aSkill;

  @Option(names = "--a-adapter", paramLabel = "DIR", description = "A: the adapter in DIR.")
  Path aAdapter;

  @Option(
      names = "--b-skill",
      paramLabel = "NAME",
      description =
          "B: this skill from --skills-dir (a router skill such as auto routes each example).")
  String bSkill;

  @Option(names = "--b-adapter", paramLabel = "DIR", description = "B: the adapter in DIR.")
  Path bAdapter;

  @Option(
      names = "--skills-dir",
      paramLabel = "DIR",
      defaultValue = "skills",
      description = "Folder of skill directories (default: ${DEFAULT-VALUE}).")
  Path skillsDir;

  @Option(
      names = "--bootstrap-samples",
      defaultValue = "1000",
      description = "Paired bootstrap resamples (default: ${DEFAULT-VALUE}).")
  int resamples;

  @Option(
      names = "--bootstrap-seed",
      defaultValue = "0",
      description = "Seed of the resampling (default: ${DEFAULT-VALUE}).")
  long bootstrapSeed;

  @Option(
      names = {"-rf", "--report-filename"},
      paramLabel = "FILE",
      description = "Write {\"opt\", \"comparison\", \"report\": {\"a\", \"b\"}} here.")
  Path reportFile;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    data.validate();
    if (resamples < 1) {
      throw new IllegalArgumentException("--bootstrap-samples must be >= 1, found " + resamples);
    }
    List<String> fixed = data.fixedCandidates();
    List<Teacher> teachers = data.teachers(TeacherRegistry.builtIn());
    List<EvalPlan.Task> tasks =
        EvalPlan.prepare(
            teachers,
            data.numExamples,
            Shard.ALL,
            data.mode(),
            fixed,
            data.batchSize,
            err::println);
    err.flush();
    Outcomes outA = new Outcomes();
    Outcomes outB = new Outcomes();
    Map<String, TextLengths> both = new LinkedHashMap<>();
    ObjectNode sideA;
    ObjectNode sideB;
    RunResults reportA;
    RunResults reportB;
    String backboneName;
    String backboneFingerprint;
    String labelA;
    String labelB;
    try (Backbone b = backbone.load()) {
      backboneName = b.name();
      backboneFingerprint = b.fingerprint();
      TaskRunner runner = new TaskRunner(data, ProgressStream.of(err), b.encoder()::work);
      try (EvalTarget a = load(b, aSkill, aAdapter)) {
        labelA = a.label();
        sideA = describe(a, both, "a");
        reportA = side(a, runner, tasks, fixed, "A", outA, teachers, err);
      }
      try (EvalTarget m = load(b, bSkill, bAdapter)) {
        labelB = m.label();
        sideB = describe(m, both, "b");
        reportB = side(m, runner, tasks, fixed, "B", outB, teachers, err);
      }
    }
    // the top-level text_truncate/label_truncate only if both sides ranked alike
    ObjectNode opt =
        OptionsJson.write(
            new RunOptions(
                data.opt(LengthsOpt.truncation(both, data.overrides())),
                null,
                null,
                null,
                null,
                null,
                backboneName,
                backboneFingerprint,
                null,
                null,
                null));
    opt.set("a", sideA);
    opt.set("b", sideB);
    opt.put("bootstrap_samples", resamples);
    opt.put("bootstrap_seed", bootstrapSeed);
    Map<String, PairedComparison.Result> byTask = new LinkedHashMap<>();
    Map<String, Integer> skipped = new LinkedHashMap<>();
    List<EvalExample> all = new ArrayList<>();
    for (EvalPlan.Task t : tasks) {
      all.addAll(t.examples());
      compareOn(t.teacher().task(), t.examples(), outA, outB, byTask, skipped);
    }
    if (tasks.size() > 1) {
      compareOn("all (pooled)", all, outA, outB, byTask, skipped);
    }
    PrintWriter out = spec.commandLine().getOut();
    CompareTable.print(out, labelA, labelB, byTask);
    if (reportFile != null) {
      ObjectNode report = opt.objectNode();
      ObjectNode comparison = report.putObject("comparison");
      byTask.forEach((task, r) -> comparison.set(task, CompareTable.toJson(r, skipped.get(task))));
      report.set("a", ResultsJson.write(reportA));
      report.set("b", ResultsJson.write(reportB));
      ObjectNode root = opt.objectNode();
      root.set("opt", opt);
      root.set("report", report);
      new ReportWriter(new ObjectMapper()).write(reportFile, root);
      err.println("comparison written to " + reportFile);
    }
    err.flush();
    return 0;
  }

  private void compareOn(
      String name,
      List<EvalExample> examples,
      Outcomes a,
      Outcomes b,
      Map<String, PairedComparison.Result> byTask,
      Map<String, Integer> skipped) {
    Outcomes.Paired p = Outcomes.pair(examples, a, b);
    if (p.a().length == 0) {
      throw new IllegalArgumentException(
          "compare: task "
              + name
              + " has no example both sides could score"
              + " ("
              + p.skipped()
              + " skipped for bad candidates)");
    }
    byTask.put(name, PairedComparison.compare(p.a(), p.b(), resamples, bootstrapSeed));
    skipped.put(name, p.skipped());
  }

  /**
   * A side's opt entry: what it is, and the lengths each of its skills ranks at (also added to
   * {@code all}, as {@code side/skill}).
   */
  private ObjectNode describe(EvalTarget side, Map<String, TextLengths> all, String name) {
    ObjectNode d = RunOptions.describe(side);
    Map<String, TextLengths> lengths = side.lengths(data.overrides());
    LengthsOpt.put(d, lengths, data.overrides());
    lengths.forEach((skill, l) -> all.put(name + "/" + skill, l));
    return d;
  }

  /**
   * One side: a router skill ({@link RoutedModel}), a skill or adapter, or the zero-shot backbone.
   */
  private EvalTarget load(Backbone b, String skill, Path adapter) throws java.io.IOException {
    if (skill != null && adapter == null && RoutedModel.isRouter(skillsDir, skill)) {
      return RoutedModel.load(b, skillsDir, skill);
    }
    return RankingModel.load(b, skillsDir, skill, adapter);
  }

  /** Runs one side; returns its report (ParlAI's metrics per task, a router's routing counts). */
  private RunResults side(
      EvalTarget model,
      TaskRunner runner,
      List<EvalPlan.Task> tasks,
      List<String> fixed,
      String label,
      Outcomes outcomes,
      List<Teacher> teachers,
      PrintWriter err)
      throws Exception {
    List<Contamination> found = new ArrayList<>();
    for (Teacher t : teachers) {
      Contamination.find(t.task(), t.dataFile(), model.trainingFiles()).ifPresent(found::add);
    }
    Banner.contamination(err, found);
    err.println(
        label
            + ": "
            + model.label()
            + "; text lengths "
            + LengthsOpt.describe(model.lengths(data.overrides())));
    err.flush();
    long t0 = System.nanoTime();
    List<TaskResult> results = runner.run(model, tasks, fixed, label, outcomes);
    return RunResults.of(
        results, (System.nanoTime() - t0) / 1e9, model.checksContamination(), found);
  }
}
