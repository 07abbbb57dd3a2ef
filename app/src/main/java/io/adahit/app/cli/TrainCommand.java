package io.adahit.app.cli;

import io.adahit.agents.adapters.AdapterConfig;
import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.adapters.AdapterInit;
import io.adahit.agents.adapters.AdapterManifest;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.adapters.Provenance;
import io.adahit.agents.adapters.SkillRegistry;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.training.BiEncoderTrainer;
import io.adahit.agents.training.TrainerOptions;
import io.adahit.agents.training.TrainingTask;
import io.adahit.app.ProgressStream;
import io.adahit.eval.training.TrainingCorpus;
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

/**
 * {@code adahit train}: trains a skill's adapter (or the FE head, or the AdaHIT base) on the
 * skill's training files in the data folder, and writes it as an adapter directory with its
 * provenance. Killed runs resume from their checkpoint when run again with the same flags.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Trains skill adapters as bi-encoders with in-batch negatives (AdaMax, 10%% warm-up, linear decay).",
      "Modes: ada (Houlsby adapters for one skill), adahit-base (one adapter multi-task over several skills,",
      "balanced), adahit-task (AdaHIT sub-adapters on a frozen --base), fe (linear head on the frozen backbone),",
      "fusion (AdapterFusion over the frozen --fuse skills of --skills-dir), router (the 'auto' skill router).",
      "Example: adahit train --mode ada -t convai2 --out skills/convai2 --steps 2000",
      "         adahit train --mode fusion -t blended_skill_talk --fuse convai2,wizard_of_wikipedia,empathetic_dialogues --out skills/bst_fusion",
      "         adahit train --mode router -t convai2,wizard_of_wikipedia,empathetic_dialogues,blended_skill_talk --out skills/auto"
    })
public final class TrainCommand implements Callable<Integer> {

  enum Mode {
    ADA,
    ADAHIT_BASE,
    ADAHIT_TASK,
    FE,
    FUSION,
    ROUTER
  }

  @Spec CommandSpec spec;
  @Mixin BackboneOption backboneOption;

  @Option(
      names = "--mode",
      required = true,
      converter = ModeConverter.class,
      description = "ada | adahit-base | adahit-task | fe | fusion | router")
  Mode mode;

  @Option(
      names = {"-t", "--task"},
      required = true,
      split = ",",
      description =
          "Skill(s) to train on; several only with adahit-base and router: convai2, wizard_of_wikipedia, empathetic_dialogues, blended_skill_talk")
  List<String> tasks;

  @Option(
      names = "--out",
      required = true,
      description = "Adapter directory to write (adapter_config.json + adapter.safetensors).")
  Path out;

  @Option(
      names = "--skill",
      description =
          "Name stored in the adapter (default: the task, 'adahit_base', for fusion the --out directory's name, for router 'auto').")
  String skill;

  @Option(names = "--base", description = "adahit-task: the base adapter directory (frozen).")
  Path base;

  @Option(
      names = "--fuse",
      split = ",",
      description =
          "fusion: the skills to fuse (frozen), by name in --skills-dir, e.g. convai2,wizard_of_wikipedia,empathetic_dialogues[,blended_skill_talk].")
  List<String> fuse;

  @Option(
      names = "--skills-dir",
      defaultValue = "skills",
      description =
          "fusion: the skills folder the --fuse skills are loaded from (default: ${DEFAULT-VALUE}).")
  Path skillsDir;

  @Option(
      names = "--router-epochs",
      defaultValue = "300",
      description =
          "router: full-batch epochs of the classifier (default: ${DEFAULT-VALUE}); -lr, when given, is its Adam step (else 0.01).")
  int routerEpochs;

  @Mixin DataPathOption datapath;

  @Option(
      names = "--steps",
      description = "Optimiser steps (default: --epochs over the training pairs).")
  Long steps;

  @Option(
      names = "--epochs",
      defaultValue = "1",
      description = "Epochs when --steps is not given (default: ${DEFAULT-VALUE}).")
  double epochs;

  @Mixin PairsPerStepOption batchSize;

  @Option(
      names = {"-lr", "--lr"},
      defaultValue = "1e-3",
      description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
  double lr;

  @Option(
      names = "--warmup",
      defaultValue = "0.1",
      description = "Warm-up share of the steps (default: ${DEFAULT-VALUE}).")
  double warmup;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Seed of init, data split and batch order (default: ${DEFAULT-VALUE}).")
  long seed;

  // field values, not defaultValue: picocli would apply that after the hidden aliases below
  @Option(
      names = "--text-truncate",
      description = "Max context tokens, keeping the end (default: ${DEFAULT-VALUE}).")
  int contextLength = 128;

  @Option(names = "--label-truncate", description = "Max reply tokens (default: ${DEFAULT-VALUE}).")
  int replyLength = 64;

  /** Hidden alias of --text-truncate (its old name, still accepted). */
  @Option(names = "--context-length", hidden = true)
  void contextLengthAlias(int n) {
    contextLength = n;
  }

  /** Hidden alias of --label-truncate (its old name, still accepted). */
  @Option(names = "--reply-length", hidden = true)
  void replyLengthAlias(int n) {
    replyLength = n;
  }

  @Option(
      names = "--bottleneck",
      defaultValue = "64",
      description = "Adapter width da (default: ${DEFAULT-VALUE}).")
  int bottleneck;

  @Option(
      names = "--top-layers",
      description =
          "Adapters only in the top N layers (default: all; fusion: the top N of the layers the fused skills share); lets training cache the rest.")
  Integer topLayers;

  @Option(
      names = "--ts",
      defaultValue = "32,16",
      split = ",",
      description =
          "adahit-task: widths of the sub-adapters on d and on da (default: ${DEFAULT-VALUE}).")
  List<Integer> ts;

  @Option(
      names = "--max-train-pairs",
      defaultValue = "0",
      description = "At most this many training pairs per skill, whole dialogues (0: all).")
  int maxTrainPairs;

  @Option(
      names = "--valid-pairs",
      defaultValue = "500",
      description = "Held-out training pairs per skill for validation (default: ${DEFAULT-VALUE}).")
  int validPairs;

  @Option(
      names = "--valid-candidates",
      defaultValue = "20",
      description = "K of the validation hits@1/K (default: ${DEFAULT-VALUE}).")
  int validCandidates;

  @Option(
      names = "--valid-every",
      defaultValue = "0",
      description = "Steps between validations (0: at the end).")
  long validEvery;

  @Option(
      names = "--checkpoint-dir",
      description = "Checkpoint folder (default: .cache/train/<skill>).")
  Path checkpointDir;

  @Option(
      names = "--checkpoint-every",
      defaultValue = "100",
      description = "Steps between checkpoints (default: ${DEFAULT-VALUE}).")
  long checkpointEvery;

  @Option(
      names = "--max-steps-now",
      defaultValue = "-1",
      description =
          "Stop after this many steps in this process (resume later with the same flags); -1: run to the end.")
  long maxStepsNow;

  @Option(
      names = "--layer-cache-dir",
      defaultValue = ".cache/train/layers",
      description =
          "Where the frozen layers' outputs are kept for later runs on the same data (default: ${DEFAULT-VALUE}); 'none' to keep nothing.")
  String layerCacheDir;

  @Option(
      names = "--no-layer-cache",
      description = "Run the frozen lower layers at every step (for measuring the cache).")
  boolean noLayerCache;

  @Option(
      names = "--length-buckets",
      defaultValue = "0",
      description =
          "0: random batches (default); N > 0: sort each N batches' worth of shuffled pairs by context length before cutting them into batches, so batches pad little (every pair is still seen once per epoch).")
  int lengthBuckets;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter outStream = spec.commandLine().getOut();
    if (mode == Mode.ROUTER) {
      return new RouterTraining(this).run(outStream, err);
    }
    if (mode != Mode.ADAHIT_BASE && tasks.size() != 1) {
      throw new IllegalArgumentException(
          "--mode "
              + mode.name().toLowerCase().replace('_', '-')
              + " trains one skill; several tasks ("
              + tasks
              + ") need --mode adahit-base");
    }
    if ((mode == Mode.FUSION) != (fuse != null)) {
      throw new IllegalArgumentException(
          mode == Mode.FUSION
              ? "--mode fusion needs --fuse SKILL,SKILL,... (the frozen skills of --skills-dir to fuse)"
              : "--fuse is only for --mode fusion");
    }
    if ((mode == Mode.ADAHIT_TASK) != (base != null)) {
      throw new IllegalArgumentException(
          mode == Mode.ADAHIT_TASK
              ? "--mode adahit-task needs --base DIR (the frozen base adapter)"
              : "--base is only for --mode adahit-task");
    }
    String name =
        skill != null
            ? skill
            : mode == Mode.ADAHIT_BASE
                ? "adahit_base"
                : mode == Mode.FUSION
                    ? out.toAbsolutePath().normalize().getFileName().toString()
                    : tasks.get(0);
    TrainingCorpus corpus = TrainingCorpus.builtIn();
    List<TrainingTask> data = new ArrayList<>();
    for (String t : tasks) {
      TrainingCorpus.SkillData d = corpus.load(t, datapath.path());
      TrainingTask task = d.task(validPairs, maxTrainPairs, seed);
      data.add(task);
      err.printf(
          "%s: %d dialogues, %d pairs in %s; training on %d, validating on %d held-out pairs%n",
          t,
          d.dialogues().size(),
          d.pairCount(),
          corpus.files(t),
          task.train().size(),
          task.valid().size());
    }
    long totalSteps =
        steps != null
            ? steps
            : Math.max(
                1,
                (long)
                    Math.ceil(
                        epochs
                            * data.stream().mapToInt(t -> t.train().size()).sum()
                            / batchSize.value()));
    TrainerOptions options =
        new TrainerOptions(
            totalSteps,
            batchSize.value(),
            lr,
            warmup,
            seed,
            contextLength,
            replyLength,
            20,
            validEvery,
            validCandidates,
            checkpointEvery,
            !noLayerCache,
            32,
            lengthBuckets);
    Path ckpt = checkpointDir != null ? checkpointDir : Path.of(".cache", "train", name);
    try (Backbone backbone = backboneOption.load();
        AdapterSet baseSet = base == null ? null : AdapterFiles.load(base, backbone, null);
        SkillRegistry fusedSkills = mode == Mode.FUSION ? fusedSkills(backbone) : null;
        AdapterSet set =
            mode == Mode.FUSION
                ? fusion(name, backbone, fusedSkills)
                : AdapterSet.create(
                    backbone, config(name, backbone, baseSet), AdapterInit.seeded(seed), baseSet)) {
      err.printf(
          "training %s (%s): %,d trainable parameters (%.2f%% of the backbone's %,d), %d steps of %d%n",
          name,
          set.kind().fileName(),
          set.parameterCount(),
          100.0 * set.parameterCount() / backbone.parameterCount(),
          backbone.parameterCount(),
          totalSteps,
          batchSize.value());
      BiEncoderTrainer.Result r;
      try (TrainProgress progress =
          new TrainProgress(totalSteps, ProgressStream.of(spec.commandLine().getErr()))) {
        r =
            new BiEncoderTrainer(
                    backbone,
                    options,
                    "none".equals(layerCacheDir) || noLayerCache ? null : Path.of(layerCacheDir))
                .train(set, data, ckpt, maxStepsNow, progress);
      }
      err.printf(
          "%d/%d steps, %.1f training pairs/s (layer cache from layer %d, built in %.1f s), last loss %.4f%n",
          r.steps(),
          totalSteps,
          r.examplesPerSecond(),
          r.cacheLevel(),
          r.cacheSeconds(),
          r.finalLoss());
      if (r.steps() < totalSteps) {
        err.printf(
            "stopped at step %d of %d; run the same command again to resume from %s%n",
            r.steps(), totalSteps, ckpt);
        return 0;
      }
      // the trainer's own provenance, plus what only this command knows
      Map<String, String> settings = new LinkedHashMap<>();
      settings.put("mode", mode.name().toLowerCase().replace('_', '-'));
      settings.put("tasks", String.join(",", tasks));
      if (mode == Mode.FUSION) {
        settings.put("fused", String.join(",", fuse));
      }
      settings.put("max_train_pairs", Integer.toString(maxTrainPairs));
      settings.put("valid_pairs", Integer.toString(validPairs));
      Provenance prov = r.provenance().withSettings(settings);
      AdapterManifest m = AdapterFiles.save(set, out, prov);
      outStream.printf(
          "wrote %s: %s, %,d parameters, validation hits@1/%d %s%n",
          out,
          m.config().kind().fileName(),
          m.parameterCount(),
          r.validCandidates(),
          r.validHitsAt1());
      return 0;
    }
  }

  private AdapterConfig config(String name, Backbone backbone, AdapterSet baseSet) {
    int layers = backbone.config().numLayers();
    return switch (mode) {
      case FE -> AdapterConfig.linearHead(name);
      case ADAHIT_TASK -> AdapterConfig.hierarchical(name, baseSet.config(), ts.get(0), ts.get(1));
      case FUSION, ROUTER ->
          throw new IllegalStateException("--mode " + mode + " builds no adapter config here");
      case ADA, ADAHIT_BASE -> {
        AdapterConfig c = AdapterConfig.houlsby(name, layers).withBottleneck(bottleneck);
        yield topLayers == null ? c : c.withTopLayers(topLayers);
      }
    };
  }

  /** The skills folder, loaded so that every --fuse skill is there (frozen, bases resolved). */
  private SkillRegistry fusedSkills(Backbone backbone) throws java.io.IOException {
    SkillRegistry registry = new SkillRegistry(backbone);
    try {
      SkillRegistry.LoadReport report = registry.loadFolder(skillsDir);
      for (String f : fuse) {
        if (!registry.contains(f)) {
          StringBuilder msg =
              new StringBuilder(
                  "--fuse: skill '"
                      + f
                      + "' not found in skills folder "
                      + skillsDir.toAbsolutePath().normalize()
                      + "; known skills: "
                      + registry.skills());
          report
              .failures()
              .forEach((dir, why) -> msg.append("; skipped ").append(dir).append(": ").append(why));
          throw new IllegalArgumentException(msg.toString());
        }
      }
      return registry;
    } catch (java.io.IOException | RuntimeException e) {
      registry.close();
      throw e;
    }
  }

  /**
   * AdapterFusion over the --fuse skills, at the hook points they share (the top --top-layers of
   * them).
   */
  private AdapterSet fusion(String name, Backbone backbone, SkillRegistry registry) {
    List<AdapterSet> fused = fuse.stream().map(registry::get).toList();
    AdapterConfig c = AdapterConfig.fusionOf(name, fused.stream().map(AdapterSet::config).toList());
    return AdapterSet.fusion(
        backbone,
        topLayers == null ? c : c.withTopLayers(topLayers),
        AdapterInit.seeded(seed),
        fused);
  }

  /** Accepts the modes as users write them: {@code adahit-base}. */
  static final class ModeConverter implements picocli.CommandLine.ITypeConverter<Mode> {
    @Override
    public Mode convert(String value) {
      try {
        return Mode.valueOf(value.trim().toUpperCase().replace('-', '_'));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(
            "unknown mode '"
                + value
                + "'; modes: ada, adahit-base, adahit-task, fe, fusion, router");
      }
    }
  }
}
