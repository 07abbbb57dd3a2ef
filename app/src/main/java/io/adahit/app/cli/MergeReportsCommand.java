package io.adahit.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.eval.harness.ReportMerger;
import io.adahit.eval.report.ReportFile;
import io.adahit.eval.report.ReportWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Combines the -rf files of an eval_model run's shards into the report of one run. */
@Command(
    name = "merge_reports",
    mixinStandardHelpOptions = true,
    description = {
      "Merge the report files of eval_model --num-shards N --shard-id 0..N-1 into the report one run gives.",
      "Example: adahit merge_reports shards/shard-*.json -rf report.json"
    })
final class MergeReportsCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(
      arity = "1..*",
      paramLabel = "SHARD_REPORT",
      description = "The shards' -rf files, in any order.")
  List<Path> files;

  @Option(
      names = {"-rf", "--report-filename"},
      paramLabel = "FILE",
      description = "Write the merged report here.")
  Path reportFile;

  @Override
  public Integer call() throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<ReportFile> shards = new ArrayList<>();
    for (Path f : files) {
      shards.add(ReportFile.read(json, f));
    }
    ReportMerger.Merged merged = ReportMerger.merge(shards);
    ResultTable.print(spec.commandLine().getOut(), merged.results(), merged.totalSeconds());
    Banner.contamination(spec.commandLine().getErr(), merged.report().contamination());
    if (reportFile != null) {
      new ReportWriter(json).write(reportFile, merged.opt(), merged.report());
      spec.commandLine().getErr().println("merged " + shards.size() + " shards into " + reportFile);
    }
    spec.commandLine().getErr().flush();
    return 0;
  }
}
