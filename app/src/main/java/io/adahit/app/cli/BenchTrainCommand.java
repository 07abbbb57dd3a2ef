package io.adahit.app.cli;

import io.adahit.agents.adapters.AdapterConfig;
import io.adahit.agents.adapters.AdapterInit;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.training.BiEncoderTrainer;
import io.adahit.agents.training.TrainerOptions;
import io.adahit.agents.training.TrainingTask;
import io.adahit.eval.training.TrainingCorpus;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Training throughput with and without the lower-layer cache, side by side in one process: the same
 * adapter config, data and batches, alternating runs so machine noise hits both alike. Prints each
 * run's training pairs/s, the medians and their ratio.
 */
@Command(
    name = "bench-train",
    mixinStandardHelpOptions = true,
    description =
        "Training pairs/s with the lower-layer cache vs the whole backbone at every step.")
final class BenchTrainCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin BackboneOption backboneOption;

  @Option(
      names = {"-t", "--task"},
      defaultValue = "empathetic_dialogues",
      description = "Skill whose training data is used (default: ${DEFAULT-VALUE}).")
  String task;

  @Mixin DataPathOption datapath;

  @Option(
      names = "--pairs",
      defaultValue = "1024",
      description = "Training pairs (default: ${DEFAULT-VALUE}).")
  int pairs;

  @Option(
      names = "--steps",
      defaultValue = "16",
      description = "Steps per timed run (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(
      names = "--runs",
      defaultValue = "3",
      description = "Timed runs per setting; medians are reported (default: ${DEFAULT-VALUE}).")
  int runs;

  @Mixin PairsPerStepOption batchSize;

  @Option(
      names = "--top-layers",
      defaultValue = "2",
      description = "Adapters in the top N layers (default: ${DEFAULT-VALUE}).")
  int topLayers;

  @Option(
      names = "--text-truncate",
      description = "Max context tokens (default: ${DEFAULT-VALUE}).")
  int contextLength =
      128; // a field value, not defaultValue: picocli would apply that after the alias below

  /** Hidden alias of the option above (its old name, still accepted). */
  @Option(names = "--context-length", hidden = true)
  void contextLengthAlias(int n) {
    contextLength = n;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    TrainingTask data = TrainingCorpus.builtIn().load(task, datapath.path()).task(0, pairs, 0);
    TrainerOptions base =
        TrainerOptions.defaults(steps)
            .withBatchSize(batchSize.value())
            .withLengths(contextLength, 64);
    try (Backbone backbone = backboneOption.load()) {
      AdapterConfig config =
          AdapterConfig.houlsby(task, backbone.config().numLayers()).withTopLayers(topLayers);
      out.printf(
          "bench-train: %s, %d pairs, batch %d, adapters in the top %d of %d layers, %d steps per run%n",
          task,
          data.train().size(),
          batchSize.value(),
          topLayers,
          backbone.config().numLayers(),
          steps);
      List<Double> cached = new ArrayList<>();
      List<Double> full = new ArrayList<>();
      for (int r = -1; r < runs; r++) { // run -1 warms up both paths and builds the cache
        for (boolean cache : new boolean[] {true, false}) {
          try (AdapterSet set = AdapterSet.create(backbone, config, AdapterInit.seeded(0))) {
            BiEncoderTrainer.Result res =
                new BiEncoderTrainer(backbone, base.withLayerCache(cache))
                    .train(set, List.of(data), null, -1, null);
            if (r >= 0) {
              (cache ? cached : full).add(res.examplesPerSecond());
              out.printf(
                  "run %d %-22s %7.1f pairs/s%s%n",
                  r + 1,
                  cache ? "layer cache (top only)" : "whole backbone",
                  res.examplesPerSecond(),
                  cache ? String.format(" (cache built in %.1f s)", res.cacheSeconds()) : "");
            }
          }
        }
      }
      double c = median(cached);
      double f = median(full);
      out.printf(
          "median: layer cache %.1f pairs/s, whole backbone %.1f pairs/s, speed-up %.2fx%n",
          c, f, c / f);
    }
    return 0;
  }

  private static double median(List<Double> xs) {
    double[] a = xs.stream().mapToDouble(d -> d).sorted().toArray();
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }
}
