package io.adahit.agents.training;

import io.adahit.agents.adapters.Provenance;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Settings of one bi-encoder training run (seed 000's recipe by default: AdaMax, 10% linear warm-up
 * then linear decay).
 *
 * @param steps optimiser steps of the run (one batch of one task each)
 * @param batchSize pairs per step; the other replies of the batch are the negatives
 * @param learningRate peak learning rate
 * @param warmupFraction share of steps spent warming up
 * @param seed seeds batch order and validation candidates
 * @param contextLength max context tokens; contexts keep their end (ParlAI truncates the left)
 * @param replyLength max reply tokens; replies keep their start
 * @param scale logit scale applied to cosine similarities (inverse temperature)
 * @param validEvery steps between validations (0: only at the end)
 * @param validCandidates K for the validation hits@1/K
 * @param checkpointEvery steps between checkpoints (0: only at the end)
 * @param layerCache run the frozen layers below the adapters once and cache their output
 * @param encodeBatchSize batch size for cache building and validation encoding
 * @param lengthBuckets 0: each batch is drawn at random; n > 0: each epoch's shuffled pairs are
 *     taken n batches at a time, sorted by context length and cut into batches (whose order is then
 *     shuffled), so a batch pads its contexts to a length close to each of them
 */
public record TrainerOptions(
    long steps,
    int batchSize,
    double learningRate,
    double warmupFraction,
    long seed,
    int contextLength,
    int replyLength,
    double scale,
    long validEvery,
    int validCandidates,
    long checkpointEvery,
    boolean layerCache,
    int encodeBatchSize,
    int lengthBuckets) {

  public TrainerOptions {
    require(steps >= 1, "steps must be >= 1, found " + steps);
    require(batchSize >= 2, "batch size must be >= 2 (in-batch negatives), found " + batchSize);
    require(
        learningRate > 0 && Double.isFinite(learningRate),
        "learning rate must be > 0, found " + learningRate);
    require(
        warmupFraction >= 0 && warmupFraction < 1,
        "warm-up fraction must be in [0, 1), found " + warmupFraction);
    require(
        contextLength >= 2 && replyLength >= 2,
        "max lengths must be >= 2, found " + contextLength + "/" + replyLength);
    require(scale > 0, "scale must be > 0, found " + scale);
    require(
        validEvery >= 0 && checkpointEvery >= 0,
        "validation and checkpoint intervals must be >= 0");
    require(validCandidates >= 2, "validation candidates must be >= 2, found " + validCandidates);
    require(encodeBatchSize >= 1, "encode batch size must be >= 1, found " + encodeBatchSize);
    require(
        lengthBuckets >= 0,
        "length buckets must be >= 0 (0: random batches), found " + lengthBuckets);
  }

  private static void require(boolean ok, String what) {
    if (!ok) {
      throw new IllegalArgumentException("training: " + what);
    }
  }

  /** Seed 000's recipe for {@code steps} steps: batch 32, AdaMax lr 1e-3, 10% warm-up. */
  public static TrainerOptions defaults(long steps) {
    return new TrainerOptions(steps, 32, 1e-3, 0.1, 0, 128, 64, 20, 0, 20, 0, true, 32, 0);
  }

  public TrainerOptions withBatchSize(int b) {
    return with(o -> o.batchSize = b);
  }

  public TrainerOptions withLearningRate(double lr) {
    return with(o -> o.learningRate = lr);
  }

  public TrainerOptions withSeed(long s) {
    return with(o -> o.seed = s);
  }

  public TrainerOptions withLengths(int context, int reply) {
    return with(
        o -> {
          o.contextLength = context;
          o.replyLength = reply;
        });
  }

  public TrainerOptions withValidation(long every, int candidates) {
    return with(
        o -> {
          o.validEvery = every;
          o.validCandidates = candidates;
        });
  }

  public TrainerOptions withLayerCache(boolean on) {
    return with(o -> o.layerCache = on);
  }

  /** A copy of these options with {@code change} applied to its fields (validated again). */
  private TrainerOptions with(Consumer<Fields> change) {
    Fields f = new Fields(this);
    change.accept(f);
    return f.options();
  }

  /** The record's fields, mutable, for the {@code with...} copies. */
  private static final class Fields {
    long steps;
    int batchSize;
    double learningRate;
    double warmupFraction;
    long seed;
    int contextLength;
    int replyLength;
    double scale;
    long validEvery;
    int validCandidates;
    long checkpointEvery;
    boolean layerCache;
    int encodeBatchSize;
    int lengthBuckets;

    Fields(TrainerOptions o) {
      steps = o.steps;
      batchSize = o.batchSize;
      learningRate = o.learningRate;
      warmupFraction = o.warmupFraction;
      seed = o.seed;
      contextLength = o.contextLength;
      replyLength = o.replyLength;
      scale = o.scale;
      validEvery = o.validEvery;
      validCandidates = o.validCandidates;
      checkpointEvery = o.checkpointEvery;
      layerCache = o.layerCache;
      encodeBatchSize = o.encodeBatchSize;
      lengthBuckets = o.lengthBuckets;
    }

    TrainerOptions options() {
      return new TrainerOptions(
          steps,
          batchSize,
          learningRate,
          warmupFraction,
          seed,
          contextLength,
          replyLength,
          scale,
          validEvery,
          validCandidates,
          checkpointEvery,
          layerCache,
          encodeBatchSize,
          lengthBuckets);
    }
  }

  /**
   * The settings that define the run's result (a checkpoint resumes only a run with the same ones);
   * validation, checkpoint and caching choices do not change the trained weights.
   */
  public Map<String, String> resultSettings() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("optimizer", "adamax");
    s.put("steps", Long.toString(steps));
    s.put("batch_size", Integer.toString(batchSize));
    s.put("learning_rate", Double.toString(learningRate));
    s.put("warmup_fraction", Double.toString(warmupFraction));
    s.put("schedule", "linear warm-up, linear decay");
    s.put("seed", Long.toString(seed));
    s.put("context_length", Integer.toString(contextLength));
    s.put("context_truncation", "keep_end");
    s.put("reply_length", Integer.toString(replyLength));
    s.put("loss", "in-batch negatives, cross-entropy over scaled cosine scores");
    s.put("scale", Double.toString(scale));
    if (lengthBuckets > 0) { // absent for random batches, so older runs keep their fingerprints
      s.put("length_buckets", Integer.toString(lengthBuckets));
    }
    return s;
  }

  /**
   * The provenance of a finished run with these options: the tasks' training files, the steps
   * taken, seed, learning rate, the mean validation hits@1 (null when none was measured), and
   * {@link #resultSettings()} with the run's training pairs per task and validation results.
   *
   * @param validHitsAt1 per task, at the end (may be empty)
   * @param validCandidates K of the validation hits@1/K
   */
  public Provenance provenance(
      List<TrainingTask> tasks,
      long stepsDone,
      Map<String, Double> validHitsAt1,
      int validCandidates) {
    Map<String, String> s = new LinkedHashMap<>(resultSettings());
    s.put(
        "train_pairs",
        tasks.stream()
            .map(t -> t.name() + "=" + t.train().size())
            .collect(Collectors.joining(",")));
    s.put("valid_candidates", Integer.toString(validCandidates));
    s.put("valid_hits_at_1_per_task", validHitsAt1.toString());
    double mean = validHitsAt1.values().stream().mapToDouble(d -> d).average().orElse(Double.NaN);
    return new Provenance(
        tasks.stream().flatMap(t -> t.files().stream()).toList(),
        stepsDone,
        seed,
        learningRate,
        Double.isNaN(mean) ? null : mean,
        s);
  }
}
