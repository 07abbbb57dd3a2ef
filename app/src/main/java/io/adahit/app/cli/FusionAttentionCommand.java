package io.adahit.app.cli;

import io.adahit.agents.adapters.AdapterKind;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.adapters.FusionAttention;
import io.adahit.agents.adapters.SkillRegistry;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.EncodeOptions;
import io.adahit.agents.backbone.HookPoint;
import io.adahit.agents.backbone.Truncation;
import io.adahit.eval.fusion.AttentionPlot;
import io.adahit.eval.harness.ContextBuilder;
import io.adahit.eval.harness.EvalExample;
import io.adahit.eval.teachers.Datatype;
import io.adahit.eval.teachers.Teacher;
import io.adahit.eval.teachers.TeacherOptions;
import io.adahit.eval.teachers.TeacherRegistry;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code adahit fusion-attention}: which fused skills an AdapterFusion skill attends to, per layer,
 * on a task's contexts (built exactly as {@code eval_model} builds them): writes {@code
 * attention.tsv}, {@code attention.md} and {@code attention.svg} to {@code --out} and prints the
 * table.
 */
@Command(
    name = "fusion-attention",
    mixinStandardHelpOptions = true,
    description = {
      "Mean AdapterFusion attention per fused skill and layer on a task's contexts (table + SVG plot).",
      "Example: adahit fusion-attention --skill bst_fusion3 -t blended_skill_talk --out eval/results/fusion-attention/bst_fusion3"
    })
public final class FusionAttentionCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin BackboneOption backbone;

  @Option(
      names = "--skill",
      required = true,
      paramLabel = "NAME",
      description = "The fusion skill, in --skills-dir.")
  String skill;

  @Option(
      names = "--skills-dir",
      defaultValue = "skills",
      paramLabel = "DIR",
      description =
          "Skills folder holding the fusion and the skills it fuses (default: ${DEFAULT-VALUE}).")
  Path skillsDir;

  @Option(
      names = {"-t", "--task"},
      required = true,
      description = "Task whose contexts are measured, e.g. blended_skill_talk.")
  String task;

  @Mixin DatatypeOption datatype;

  @Option(
      names = {"-ne", "--num-examples"},
      defaultValue = "-1",
      description = "Contexts to measure, -1 for all (default: ${DEFAULT-VALUE}).")
  int numExamples;

  @Mixin DataPathOption datapath;

  @Option(
      names = "--text-truncate",
      defaultValue = "256",
      description =
          "Context word pieces, oldest dropped first, as eval_model (default: ${DEFAULT-VALUE}).")
  int textTruncate;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Where attention.tsv/.md/.svg go.")
  Path out;

  @Override
  public Integer call() throws Exception {
    if (numExamples == 0 || numExamples < -1) {
      throw new IllegalArgumentException("-ne must be -1 (all) or >= 1, found " + numExamples);
    }
    PrintWriter err = spec.commandLine().getErr();
    Teacher teacher =
        TeacherRegistry.builtIn()
            .create(task, TeacherOptions.of(datapath.path(), Datatype.parse(datatype.name())));
    List<String> contexts =
        ContextBuilder.build(teacher, numExamples).stream().map(EvalExample::context).toList();
    try (Backbone b = backbone.load();
        SkillRegistry registry = new SkillRegistry(b)) {
      SkillRegistry.LoadReport report = registry.loadFolder(skillsDir);
      AdapterSet fusion =
          registry
              .find(skill)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "skill '"
                              + skill
                              + "' not loaded from "
                              + skillsDir
                              + (report.failures().isEmpty()
                                  ? "; loaded: " + registry.skills()
                                  : "; failures: " + report.failures())));
      if (fusion.kind() != AdapterKind.FUSION) {
        throw new IllegalArgumentException(
            "--skill "
                + skill
                + " is of kind "
                + fusion.kind().fileName()
                + ", not fusion: only an AdapterFusion skill has attention over skills");
      }
      err.printf(
          "measuring fusion attention of '%s' over %s on %,d %s %s contexts%n",
          skill,
          fusion.fused().stream().map(AdapterSet::skill).toList(),
          contexts.size(),
          task,
          datatype.name());
      err.flush();
      long t0 = System.nanoTime();
      FusionAttention a =
          FusionAttention.measure(
              fusion,
              contexts,
              EncodeOptions.defaults()
                  .withBatchSize(32)
                  .withMaxLength(textTruncate)
                  .withTruncation(Truncation.KEEP_END));
      Map<String, double[]> rows = new LinkedHashMap<>();
      a.byPoint().forEach((p, v) -> rows.put(label(p), v));
      a.byLayer().forEach((layer, v) -> rows.put("layer " + layer + " mean", v));
      String title =
          String.format(
              Locale.ROOT,
              "%s on %s %s (%,d contexts, %,d tokens)",
              skill,
              task,
              datatype.name(),
              contexts.size(),
              a.tokens());
      Files.createDirectories(out);
      Files.writeString(out.resolve("attention.tsv"), a.toTsv(), StandardCharsets.UTF_8);
      String md = "# " + title + "\n\n" + AttentionPlot.markdown(a.skills(), rows);
      Files.writeString(out.resolve("attention.md"), md, StandardCharsets.UTF_8);
      Files.writeString(
          out.resolve("attention.svg"),
          AttentionPlot.svg(title, a.skills(), rows),
          StandardCharsets.UTF_8);
      PrintWriter o = spec.commandLine().getOut();
      o.print(md);
      o.printf(
          Locale.ROOT,
          "wrote %s/attention.{tsv,md,svg} in %.0f s%n",
          out,
          (System.nanoTime() - t0) / 1e9);
      o.flush();
    }
    return 0;
  }

  private static String label(HookPoint p) {
    return "layer " + p.layer() + " " + p.position().name().toLowerCase(Locale.ROOT);
  }
}
