package io.adahit.app.cli;

import io.adahit.agents.adapters.Provenance;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.routing.RouterManifest;
import io.adahit.agents.routing.RouterTrainer;
import io.adahit.agents.routing.SkillRouter;
import io.adahit.agents.training.TrainingPair;
import io.adahit.agents.training.TrainingTask;
import io.adahit.app.ProgressStream;
import io.adahit.eval.training.TrainingCorpus;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code adahit train --mode router}: trains the {@code auto} skill router ({@link SkillRouter}) on
 * the training contexts of the given skills (the same training files and dialogue-wise held-out
 * split as adapter training, never an evaluation split), prints its routing accuracy on the
 * held-out dialogues with the confusion matrix, and writes the router directory with its
 * provenance. The labels are the task names, which are the skill names the router answers with.
 */
final class RouterTraining {

  private final TrainCommand c;

  RouterTraining(TrainCommand command) {
    this.c = command;
  }

  int run(PrintWriter out, PrintWriter err) throws IOException {
    if (c.tasks.size() < 2) {
      throw new IllegalArgumentException(
          "--mode router chooses between skills; give at least two with -t, found " + c.tasks);
    }
    if (c.fuse != null || c.base != null) {
      throw new IllegalArgumentException("--mode router takes neither --fuse nor --base");
    }
    String name = c.skill != null ? c.skill : SkillRouter.DEFAULT_NAME;
    TrainingCorpus corpus = TrainingCorpus.builtIn();
    Map<String, List<String>> train = new LinkedHashMap<>();
    Map<String, List<String>> heldOut = new LinkedHashMap<>();
    List<Provenance.TrainingFile> files = new ArrayList<>();
    for (String t : c.tasks) {
      TrainingCorpus.SkillData d = corpus.load(t, c.datapath.path());
      TrainingTask task = d.task(c.validPairs, c.maxTrainPairs, c.seed);
      train.put(t, task.train().stream().map(TrainingPair::context).toList());
      heldOut.put(t, task.valid().stream().map(TrainingPair::context).toList());
      files.addAll(d.trainingFiles());
      err.printf(
          "%s: %d dialogues, %d pairs in %s; router trains on %d contexts, checks on %d held-out ones%n",
          t,
          d.dialogues().size(),
          d.pairCount(),
          corpus.files(t),
          task.train().size(),
          task.valid().size());
    }
    boolean lrGiven = c.spec.commandLine().getParseResult().hasMatchedOption("--lr");
    RouterTrainer.Options options =
        new RouterTrainer.Options(
            c.contextLength,
            c.routerEpochs,
            lrGiven ? c.lr : RouterTrainer.Options.defaults().learningRate(),
            RouterTrainer.Options.defaults().weightDecay(),
            32);
    try (Backbone backbone = c.backboneOption.load()) {
      RouterTrainer trainer = new RouterTrainer(backbone, options);
      SkillRouter router;
      try (Bar bar = new Bar("embed train contexts", ProgressStream.of(err))) {
        router = trainer.train(name, train, bar);
      }
      RouterTrainer.Evaluation e;
      try (Bar bar = new Bar("embed held-out contexts", ProgressStream.of(err))) {
        e = trainer.evaluate(router, heldOut, bar);
      }
      printEvaluation(out, e);
      Map<String, String> settings = new LinkedHashMap<>();
      settings.put("mode", "router");
      settings.put(
          "classifier",
          SkillRouter.KIND + " on zero-shot mean-pooled, L2-normalised context embeddings");
      settings.put(
          "optimizer", "adam full-batch, class-balanced cross-entropy, standardised features");
      settings.put("epochs", Integer.toString(options.epochs()));
      settings.put("weight_decay", Double.toString(options.weightDecay()));
      settings.put("context_length", Integer.toString(options.maxLength()));
      settings.put("tasks", String.join(",", c.tasks));
      settings.put("max_train_pairs", Integer.toString(c.maxTrainPairs));
      settings.put("train_contexts", counts(train));
      settings.put("valid_pairs", Integer.toString(c.validPairs));
      settings.put("held_out_contexts", counts(heldOut));
      settings.put("held_out_routing_accuracy", String.format(Locale.ROOT, "%.4f", e.accuracy()));
      settings.put("held_out_routing_accuracy_per_skill", perSkill(e));
      settings.put("held_out_confusion", java.util.Arrays.deepToString(e.confusion()));
      Provenance prov =
          new Provenance(
              files, (long) options.epochs(), c.seed, options.learningRate(), null, settings);
      RouterManifest m = router.save(c.out, prov);
      out.printf(
          "wrote %s: router '%s' over %s, %,d parameters, held-out routing accuracy %.4f%n",
          c.out, m.name(), m.skills(), m.parameterCount(), e.accuracy());
      return 0;
    }
  }

  private static void printEvaluation(PrintWriter out, RouterTrainer.Evaluation e) {
    List<String> skills = e.skills();
    out.printf(
        "held-out routing accuracy %.4f (balanced %.4f) over %d contexts%n",
        e.accuracy(), e.balancedAccuracy(), e.examples());
    StringBuilder header =
        new StringBuilder(String.format("%-22s %8s", "true \\ routed to", "accuracy"));
    skills.forEach(s -> header.append(String.format(" %10s", abbreviate(s))));
    out.println(header);
    for (int t = 0; t < skills.size(); t++) {
      StringBuilder row =
          new StringBuilder(
              String.format(Locale.ROOT, "%-22s %8.4f", skills.get(t), e.accuracy(skills.get(t))));
      for (int p = 0; p < skills.size(); p++) {
        row.append(String.format(" %10d", e.confusion()[t][p]));
      }
      out.println(row);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 10 ? s : s.substring(0, 10);
  }

  private static String counts(Map<String, List<String>> m) {
    StringBuilder b = new StringBuilder();
    m.forEach(
        (k, v) -> b.append(b.length() == 0 ? "" : ",").append(k).append('=').append(v.size()));
    return b.toString();
  }

  private static String perSkill(RouterTrainer.Evaluation e) {
    StringBuilder b = new StringBuilder();
    for (String s : e.skills()) {
      b.append(b.length() == 0 ? "" : ",")
          .append(s)
          .append('=')
          .append(String.format(Locale.ROOT, "%.4f", e.accuracy(s)));
    }
    return b.toString();
  }

  /** A progress bar over embedded contexts, created on the first report. */
  private static final class Bar implements RouterTrainer.Listener, AutoCloseable {
    private final String label;
    private final java.io.PrintStream progressOut;
    private ProgressReporter bar;
    private int done;

    Bar(String label, java.io.PrintStream progressOut) {
      this.label = label;
      this.progressOut = progressOut;
    }

    @Override
    public void embedded(int now, int total) {
      if (bar == null) {
        bar = new ProgressReporter(label, total, "contexts", progressOut);
      }
      bar.advance(now - done);
      done = now;
    }

    @Override
    public void close() {
      if (bar != null) {
        bar.close();
      }
    }
  }
}
