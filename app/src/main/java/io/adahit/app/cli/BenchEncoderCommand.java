package io.adahit.app.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.BertConfig;
import io.adahit.agents.backbone.CpuTuning;
import io.adahit.agents.backbone.EmbeddedBackbone;
import io.adahit.agents.backbone.LayerHooks;
import io.adahit.agents.backbone.TokenBatch;
import io.adahit.app.bench.BenchBatches;
import io.adahit.app.bench.OrtEncoder;
import io.adahit.app.bench.ProcessMemory;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Encoder throughput, side by side in one process: our DJL encoder and ONNX Runtime on the same
 * ONNX file, the same batches of real sentences, the same thread count; runs alternate between the
 * engines so that machine noise hits both alike. Prints the median sentences/s of each, their
 * ratio, the fp32 GEMM peak measured in the same run and which MKL kernels give it ({@link
 * CpuTuning}), the share of that peak each engine reaches, and peak RSS.
 */
@Command(
    name = "bench-encoder",
    mixinStandardHelpOptions = true,
    description =
        "Sentences/s of the DJL encoder vs ONNX Runtime on an embedded backbone (default all-MiniLM-L6-v2).")
final class BenchEncoderCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  /** picocli's output stream (what a test or an embedding caller set), results. */
  private PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** picocli's error stream: progress and errors. */
  private PrintWriter err() {
    return spec.commandLine().getErr();
  }

  @Mixin BackboneOption backboneOption;

  @Mixin DataPathOption datapath;

  @Option(
      names = {"-bs", "--batchsize"},
      description = "Sentences per batch (default: ${DEFAULT-VALUE}).")
  int batchSize =
      32; // a field value, not defaultValue: picocli would apply that after the alias below

  @Mixin BatchSizeAlias batchSizeAlias; // --batch-size, hidden

  @Option(
      names = "--tokens",
      defaultValue = "32",
      description = "Word pieces per sentence (default: ${DEFAULT-VALUE}).")
  int tokens;

  @Option(
      names = "--batches",
      defaultValue = "8",
      description = "Batches per timed run (default: ${DEFAULT-VALUE}).")
  int batches;

  @Option(
      names = "--runs",
      defaultValue = "7",
      description = "Timed runs per engine; the median is reported (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(
      names = "--warmup",
      defaultValue = "3",
      description = "Untimed runs per engine first (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--threads",
      defaultValue = "2",
      description =
          "ONNX Runtime intra-op threads; DJL's come from -Dai.djl.pytorch.num_threads (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(
      names = "--engine",
      defaultValue = "both",
      description =
          "djl, ort or both; one engine alone gives its own peak RSS (default: ${DEFAULT-VALUE}).")
  String engine;

  @Override
  public Integer call() throws Exception {
    boolean djl = engine.equals("both") || engine.equals("djl");
    boolean ort = engine.equals("both") || engine.equals("ort");
    if (!djl && !ort) {
      throw new IllegalArgumentException(
          "--engine must be djl, ort or both, found '" + engine + "'");
    }
    if (ort && backboneOption.embedded().isEmpty()) {
      throw new IllegalArgumentException(
          "--engine "
              + engine
              + " runs ONNX Runtime on an embedded backbone's ONNX file; "
              + "--backbone '"
              + backboneOption.value
              + "' is not one of "
              + String.join(", ", EmbeddedBackbone.names())
              + " (use --engine djl)");
    }
    double rssStart = ProcessMemory.peakRssMiB();
    try (Backbone backbone = backboneOption.load()) {
      out()
          .printf(
              Locale.ROOT,
              "backbone: %s (%d layers, d=%d)%n",
              backbone.name(),
              backbone.config().numLayers(),
              backbone.config().hiddenSize());
      List<TokenBatch> input =
          BenchBatches.make(datapath.path(), backbone.tokenizer(), batches, batchSize, tokens);
      BertConfig c = backbone.config();
      double flopsPerSentence = flopsPerSentence(c, tokens);
      out()
          .printf(
              Locale.ROOT,
              "input: %d batches x %d sentences x %d word pieces from %s%n",
              batches,
              batchSize,
              tokens,
              BenchBatches.SOURCE);
      double rssAfterDjl = -1;
      if (djl) {
        for (int i = 0; i < warmup; i++) {
          timeDjl(backbone, input);
        }
        rssAfterDjl = ProcessMemory.peakRssMiB();
      }
      double gemmPeak = gemmGflops(backbone);
      out().println(CpuTuning.detect().describe());
      out()
          .printf(
              Locale.ROOT,
              "work: %.1f MFLOP per sentence (%.1f MFLOP per token); "
                  + "fp32 GEMM peak measured now (best of 5 x 10 products of 1024x1024): %.0f GFLOP/s%n",
              flopsPerSentence / 1e6,
              flopsPerSentence / tokens / 1e6,
              gemmPeak);
      OrtEncoder ortEncoder =
          ort
              ? new OrtEncoder(
                  backboneOption.embedded().orElseThrow().onnxBytes(), threads, c.hiddenSize())
              : null;
      try {
        if (ort) {
          for (int i = 0; i < warmup; i++) {
            timeOrt(ortEncoder, input);
          }
        }
        List<Double> djlRates = new ArrayList<>();
        List<Double> ortRates = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
          boolean djlFirst = r % 2 == 0; // alternate so drift hits both engines alike
          if (djl && djlFirst) {
            djlRates.add(timeDjl(backbone, input));
          }
          if (ort) {
            ortRates.add(timeOrt(ortEncoder, input));
          }
          if (djl && !djlFirst) {
            djlRates.add(timeDjl(backbone, input));
          }
        }
        int n = batches * batchSize;
        out()
            .printf(
                Locale.ROOT,
                "%-22s %12s %12s %10s%n",
                "engine",
                "sentences/s",
                "GFLOP/s",
                "roofline");
        double djlMed = report("DJL (PyTorch 2.7.1)", djlRates, n, flopsPerSentence, gemmPeak);
        double ortMed = report("ONNX Runtime", ortRates, n, flopsPerSentence, gemmPeak);
        if (djl && ort) {
          out()
              .printf(
                  Locale.ROOT,
                  "ratio DJL / ORT: %.3f (median of %d runs each; runs: DJL %s, ORT %s)%n",
                  djlMed / ortMed,
                  runs,
                  fmt(djlRates, n),
                  fmt(ortRates, n));
        }
        out()
            .printf(
                Locale.ROOT,
                "peak RSS: %.0f MiB at start, %s%.0f MiB at end (process-wide; "
                    + "--engine djl|ort measures one engine alone)%n",
                rssStart,
                rssAfterDjl > 0
                    ? String.format(Locale.ROOT, "%.0f MiB after DJL warm-up, ", rssAfterDjl)
                    : "",
                ProcessMemory.peakRssMiB());
      } finally {
        if (ortEncoder != null) {
          ortEncoder.close();
        }
      }
    }
    return 0;
  }

  private double report(
      String name, List<Double> seconds, int sentences, double flops, double peak) {
    if (seconds.isEmpty()) {
      return Double.NaN;
    }
    double rate = sentences / BenchBatches.median(seconds);
    double gflops = rate * flops / 1e9;
    out()
        .printf(
            Locale.ROOT, "%-22s %12.1f %12.1f %9.0f%%%n", name, rate, gflops, 100 * gflops / peak);
    return rate;
  }

  private static String fmt(List<Double> seconds, int sentences) {
    StringBuilder sb = new StringBuilder("[");
    for (double s : seconds) {
      sb.append(sb.length() > 1 ? " " : "")
          .append(String.format(Locale.ROOT, "%.0f", sentences / s));
    }
    return sb.append(']').toString();
  }

  private static double timeDjl(Backbone backbone, List<TokenBatch> input) {
    long t0 = System.nanoTime();
    for (TokenBatch b : input) {
      backbone.embedBatch(b, true, LayerHooks.NONE);
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  private static double timeOrt(OrtEncoder ort, List<TokenBatch> input) throws Exception {
    long t0 = System.nanoTime();
    for (TokenBatch b : input) {
      ort.embed(b);
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /**
   * Multiply-adds of one sentence ×2: per token and layer the Q, K, V and output projections
   * (4·d²), the feed-forward (2·d·f), and attention scores and mixing (2·L·d).
   */
  static double flopsPerSentence(BertConfig c, int tokens) {
    double d = c.hiddenSize();
    double f = c.intermediateSize();
    double perTokenLayer = 2 * (4 * d * d + 2 * d * f + 2 * tokens * d);
    return perTokenLayer * c.numLayers() * tokens;
  }

  /** fp32 GEMM throughput of the engine right now: 1024³ matrix products. */
  private static double gemmGflops(Backbone backbone) {
    try (NDManager m = backbone.newManager()) {
      NDArray a = m.randomUniform(-1, 1, new Shape(1024, 1024));
      NDArray b = m.randomUniform(-1, 1, new Shape(1024, 1024));
      for (int i = 0; i < 3; i++) {
        a.matMul(b).close();
      }
      int reps = 10;
      double best = Double.MAX_VALUE;
      for (int trial = 0; trial < 5; trial++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
          a.matMul(b).close();
        }
        best = Math.min(best, (System.nanoTime() - t0) / 1e9);
      }
      double s = best;
      return 2.0 * 1024 * 1024 * 1024 * reps / s / 1e9;
    }
  }
}
