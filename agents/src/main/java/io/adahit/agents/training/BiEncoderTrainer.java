package io.adahit.agents.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.adapters.Provenance;
import io.adahit.agents.backbone.Backbone;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains one {@link AdapterSet} (Houlsby adapters, AdaHIT sub-adapters, the FE linear head, or an
 * AdapterFusion's query, key and value) as a bi-encoder with in-batch negatives: a batch of B
 * (context, reply) pairs gives a B×B matrix of scaled cosine scores, and the loss is the
 * cross-entropy of each context picking its own reply (other pairs with the same reply text are
 * masked out, not counted as negatives). Only the set's parameters train; the backbone, a
 * hierarchical set's base and a fusion's fused sets stay frozen.
 *
 * <p>Several tasks train one set multi-task (the AdaHIT base): steps go round-robin over the tasks,
 * each batch from one task, so every skill gets the same number of steps whatever its size. Each
 * task's batch order is a pure function of (seed, task, step), which is what makes checkpoints
 * resume exactly.
 */
public final class BiEncoderTrainer {

  /** Progress callbacks; all optional. */
  public interface Listener {
    /** While the frozen layers run over the data: {@code done} of {@code total} texts. */
    default void onCache(String task, int done, int total) {}

    default void onStep(StepReport report) {}

    default void onValidation(long step, Map<String, Double> hitsAt1) {}

    default void onCheckpoint(long step, Path dir) {}

    /**
     * Before the first step, per task: context word pieces of one epoch, and what its batches pad
     * them to, in the run's batch order and in random batches.
     */
    default void onBatchPlan(String task, long contextTokens, long padded, long paddedRandom) {}
  }

  /** One optimiser step. */
  public record StepReport(
      long step,
      long totalSteps,
      String task,
      double loss,
      double learningRate,
      double gradientNorm,
      double examplesPerSecond) {}

  /**
   * A finished (or resumed and finished) run.
   *
   * @param examplesPerSecond training pairs per second over this process's steps
   * @param cacheSeconds time spent building the layer caches
   * @param validHitsAt1 per task, at the end
   * @param validCandidates K of the validation hits@1/K
   * @param resumedFrom the checkpoint step this process started from (0: fresh)
   * @param cacheLevel the layer the cached inputs enter (the first adapted layer; 0 without a layer
   *     cache)
   * @param provenance what the weights were trained on and how ({@link TrainerOptions#provenance});
   *     what {@code adapter_config.json} records
   */
  public record Result(
      long steps,
      double finalLoss,
      double examplesPerSecond,
      double cacheSeconds,
      Map<String, Double> validHitsAt1,
      int validCandidates,
      long resumedFrom,
      int cacheLevel,
      Provenance provenance) {}

  private final Backbone backbone;
  private final TrainerOptions options;
  private final Path layerCacheDir;

  public BiEncoderTrainer(Backbone backbone, TrainerOptions options) {
    this(backbone, options, null);
  }

  /**
   * @param layerCacheDir where the frozen layers' outputs are kept between runs (null: in memory
   *     only); see {@link LayerCache#buildOrLoad}
   */
  public BiEncoderTrainer(Backbone backbone, TrainerOptions options, Path layerCacheDir) {
    this.backbone = backbone;
    this.options = options;
    this.layerCacheDir = layerCacheDir;
  }

  /**
   * Runs (or resumes) training of {@code set} on {@code tasks}.
   *
   * @param checkpointDir where checkpoints go (null: none); an existing checkpoint of the same run
   *     is resumed, one of another run is refused
   * @param maxSteps stop after this many steps in this process even if the run is not finished
   *     (e.g. a time-boxed chunk; the checkpoint lets the next call go on); -1 for no limit
   */
  public Result train(
      AdapterSet set,
      List<TrainingTask> tasks,
      Path checkpointDir,
      long maxSteps,
      Listener listener)
      throws IOException {
    if (tasks.isEmpty()) {
      throw new IllegalArgumentException("training: no tasks given");
    }
    for (TrainingTask t : tasks) {
      if (t.train().size() < options.batchSize()) {
        throw new IllegalArgumentException(
            "training: task '"
                + t.name()
                + "' has "
                + t.train().size()
                + " training pairs, fewer than the batch size "
                + options.batchSize());
      }
    }
    if (!set.isTrainable()) {
      throw new IllegalArgumentException("training: adapter '" + set.skill() + "' is frozen");
    }
    Listener l = listener == null ? new Listener() {} : listener;
    int layers = backbone.config().numLayers();
    int level = options.layerCache() ? set.config().firstAdaptedLayer(layers) : 0;
    long cacheStart = System.nanoTime();
    List<PairCaches> train = new ArrayList<>();
    List<Validator> valid = new ArrayList<>();
    for (TrainingTask t : tasks) {
      int total = 2 * (t.train().size() + t.valid().size());
      train.add(
          PairCaches.build(
              backbone,
              t.train(),
              options,
              level,
              layerCacheDir,
              d -> l.onCache(t.name(), d, total)));
      int offset = 2 * t.train().size();
      PairCaches v =
          PairCaches.build(
              backbone,
              t.valid(),
              options,
              level,
              layerCacheDir,
              d -> l.onCache(t.name(), offset + d, total));
      valid.add(
          new Validator(
              backbone,
              v,
              options.validCandidates(),
              options.seed() ^ 0x5eed,
              options.encodeBatchSize()));
    }
    double cacheSeconds = (System.nanoTime() - cacheStart) / 1e9;
    String fingerprint = runFingerprint(set, tasks);
    LearningRateSchedule schedule =
        new LearningRateSchedule(options.learningRate(), options.steps(), options.warmupFraction());
    try (NDManager optManager = backbone.newManager();
        AdaMax adamax = new AdaMax(optManager, set.trainableParameters())) {
      long step = 0;
      double loss = Double.NaN;
      if (checkpointDir != null && TrainingCheckpoint.exists(checkpointDir)) {
        TrainingCheckpoint.State s =
            TrainingCheckpoint.restore(checkpointDir, set, adamax, fingerprint);
        step = s.step();
        loss = s.lastLoss();
      }
      long resumedFrom = step;
      long end = maxSteps < 0 ? options.steps() : Math.min(options.steps(), step + maxSteps);
      long pairsDone = 0;
      long t0 = System.nanoTime();
      Engine engine;
      try (NDManager probe = backbone.newManager()) {
        engine = probe.getEngine();
      }
      List<BatchOrder> order = new ArrayList<>();
      for (int i = 0; i < tasks.size(); i++) {
        order.add(
            new BatchOrder(
                options.batchSize(),
                options.seed(),
                i,
                options.lengthBuckets(),
                train.get(i).contexts().tokenCounts()));
        long[] pad = order.get(i).epochPadding();
        l.onBatchPlan(tasks.get(i).name(), pad[0], pad[1], pad[2]);
      }
      while (step < end) {
        int taskIndex = (int) (step % tasks.size());
        int[] rows = order.get(taskIndex).rows(step / tasks.size());
        loss = trainStep(engine, set, train.get(taskIndex), rows);
        double lr = schedule.rate(step);
        double gnorm = adamax.step(lr);
        step++;
        pairsDone += rows.length;
        double secs = (System.nanoTime() - t0) / 1e9;
        l.onStep(
            new StepReport(
                step,
                options.steps(),
                tasks.get(taskIndex).name(),
                loss,
                lr,
                gnorm,
                pairsDone / Math.max(secs, 1e-9)));
        if (!Double.isFinite(loss)) {
          throw new IllegalStateException(
              "training: loss became "
                  + loss
                  + " at step "
                  + step
                  + " (learning rate "
                  + lr
                  + "); lower --lr");
        }
        if (options.validEvery() > 0
            && step % options.validEvery() == 0
            && step < options.steps()) {
          l.onValidation(step, validate(set, tasks, valid));
        }
        if (checkpointDir != null
            && (step == end
                || (options.checkpointEvery() > 0 && step % options.checkpointEvery() == 0))) {
          TrainingCheckpoint.save(
              checkpointDir, set, adamax, new TrainingCheckpoint.State(step, fingerprint, loss));
          l.onCheckpoint(step, checkpointDir);
        }
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      Map<String, Double> hits = step >= options.steps() ? validate(set, tasks, valid) : Map.of();
      if (!hits.isEmpty()) {
        l.onValidation(step, hits);
      }
      int validCandidates = valid.get(0).candidatesPerExample();
      return new Result(
          step,
          loss,
          pairsDone / Math.max(secs, 1e-9),
          cacheSeconds,
          hits,
          validCandidates,
          resumedFrom,
          level,
          options.provenance(tasks, step, hits, validCandidates));
    }
  }

  private double trainStep(Engine engine, AdapterSet set, PairCaches data, int[] rows) {
    try (NDManager m = backbone.newManager();
        GradientCollector gc = engine.newGradientCollector()) {
      NDArray c = data.contexts().encode(m, rows, set, true);
      NDArray r = data.replies().encode(m, rows, set, true);
      int b = rows.length;
      NDArray logits = c.matMul(r.transpose()).mul((float) options.scale());
      float[] mask = new float[b * b];
      for (int i = 0; i < b; i++) {
        for (int j = 0; j < b; j++) {
          if (i != j
              && data.pairs().get(rows[i]).reply().equals(data.pairs().get(rows[j]).reply())) {
            mask[i * b + j] = -1e4f;
          }
        }
      }
      logits = logits.add(m.create(mask, new Shape(b, b)));
      NDArray loss = logits.logSoftmax(1).mul(m.eye(b)).sum().neg().div(b);
      gc.backward(loss);
      return loss.getFloat();
    }
  }

  private static Map<String, Double> validate(
      AdapterSet set, List<TrainingTask> tasks, List<Validator> valid) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (int i = 0; i < tasks.size(); i++) {
      double h = valid.get(i).hitsAt1(set);
      if (!Double.isNaN(h)) {
        out.put(tasks.get(i).name(), h);
      }
    }
    return out;
  }

  /** Identifies a run: skill, adapter config, settings that shape the weights, and the data. */
  String runFingerprint(AdapterSet set, List<TrainingTask> tasks) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(set.config().toString().getBytes(StandardCharsets.UTF_8));
      md.update(options.resultSettings().toString().getBytes(StandardCharsets.UTF_8));
      set.base().ifPresent(b -> md.update(b.weightsFingerprint().getBytes(StandardCharsets.UTF_8)));
      for (AdapterSet f : set.fused()) { // a fusion's run depends on the adapters it fuses
        md.update((f.skill() + "=" + f.weightsFingerprint()).getBytes(StandardCharsets.UTF_8));
      }
      for (TrainingTask t : tasks) {
        md.update(t.name().getBytes(StandardCharsets.UTF_8));
        for (TrainingPair p : t.train()) {
          md.update(p.context().getBytes(StandardCharsets.UTF_8));
          md.update((byte) 0);
          md.update(p.reply().getBytes(StandardCharsets.UTF_8));
          md.update((byte) 1);
        }
      }
      return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
