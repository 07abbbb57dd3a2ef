package io.adahit.agents.adapters;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Where a skill's weights came from, as recorded in {@code adapter_config.json}: the training files
 * with their SHA-256 (so the evaluation harness can warn when a skill is evaluated on data it was
 * trained on), steps, seed, learning rate and the final validation hits@1. The trainer fills it in;
 * a fresh, untrained set is saved with {@link #pending()}.
 *
 * <pre>{@code
 * Provenance p = new Provenance(List.of(TrainingFile.of(data.resolve("bst/train_turns.csv"))),
 *     20_000L, 42L, 1e-3, 0.81, Map.of("optimizer", "adamax", "batch_size", "64"));
 * AdapterFiles.save(bst, dir, p);
 * }</pre>
 *
 * @param trainingFiles files the weights were trained on (empty if none yet)
 * @param steps optimiser steps, or null before training
 * @param seed the training run's seed, or null
 * @param learningRate peak learning rate, or null
 * @param validHitsAt1 hits@1 on the validation split at the end of training, in [0, 1], or null
 * @param settings free-form training settings (optimiser, batch size, warm-up...), may be empty
 */
public record Provenance(
    @JsonProperty("training_files") List<TrainingFile> trainingFiles,
    @JsonProperty("steps") Long steps,
    @JsonProperty("seed") Long seed,
    @JsonProperty("learning_rate") Double learningRate,
    @JsonProperty("valid_hits_at_1") Double validHitsAt1,
    @JsonProperty("settings") Map<String, String> settings) {

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  /** The training setting holding the context length (word pieces), written by the trainers. */
  public static final String CONTEXT_LENGTH = "context_length";

  /** The training setting holding the reply length (word pieces). */
  public static final String REPLY_LENGTH = "reply_length";

  public Provenance {
    trainingFiles = trainingFiles == null ? List.of() : List.copyOf(trainingFiles);
    TreeMap<String, String> sorted = new TreeMap<>();
    if (settings != null) {
      settings.forEach(
          (k, v) -> {
            if (k == null || v == null) {
              throw new IllegalArgumentException(
                  "provenance: settings must not hold null keys or values, found " + k + "=" + v);
            }
            sorted.put(k, v);
          });
    }
    settings = Collections.unmodifiableMap(sorted);
    lengthSetting(settings, CONTEXT_LENGTH); // a bad recorded length is refused on read
    lengthSetting(settings, REPLY_LENGTH);
    if (steps != null && steps < 0) {
      throw new IllegalArgumentException("provenance: steps must be >= 0, found " + steps);
    }
    if (learningRate != null && !(learningRate > 0 && Double.isFinite(learningRate))) {
      throw new IllegalArgumentException(
          "provenance: learning_rate must be > 0, found " + learningRate);
    }
    if (validHitsAt1 != null && !(validHitsAt1 >= 0 && validHitsAt1 <= 1)) {
      throw new IllegalArgumentException(
          "provenance: valid_hits_at_1 must be in [0, 1], found " + validHitsAt1);
    }
  }

  /** Nothing recorded yet: an untrained set, or one the trainer has not finished. */
  public static Provenance pending() {
    return new Provenance(List.of(), null, null, null, null, Map.of());
  }

  /**
   * The text lengths the weights were trained at, from the settings {@value #CONTEXT_LENGTH} and
   * {@value #REPLY_LENGTH} (a reply length not recorded is the harness default, {@link
   * TextLengths#DEFAULTS}); empty when no context length is recorded.
   */
  public Optional<TextLengths> trainedLengths() {
    Integer text = lengthSetting(settings, CONTEXT_LENGTH);
    if (text == null) {
      return Optional.empty();
    }
    Integer label = lengthSetting(settings, REPLY_LENGTH);
    return Optional.of(
        TextLengths.trained(text, label == null ? TextLengths.DEFAULTS.label() : label));
  }

  private static Integer lengthSetting(Map<String, String> settings, String key) {
    String v = settings.get(key);
    if (v == null) {
      return null;
    }
    try {
      int n = Integer.parseInt(v.strip());
      if (n >= TextLengths.MIN) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "provenance: settings."
            + key
            + " must be a whole number of word pieces >= "
            + TextLengths.MIN
            + ", found '"
            + v
            + "'");
  }

  /** The same record with the final validation hits@1 filled in. */
  public Provenance withValidHitsAt1(double hits) {
    return new Provenance(trainingFiles, steps, seed, learningRate, hits, settings);
  }

  /** The same record with {@code more} settings added (a key given again is replaced). */
  public Provenance withSettings(Map<String, String> more) {
    Map<String, String> all = new TreeMap<>(settings);
    all.putAll(more);
    return new Provenance(trainingFiles, steps, seed, learningRate, validHitsAt1, all);
  }

  /**
   * One training file.
   *
   * @param path as given to the trainer (relative to the data folder when it was)
   * @param sha256 lowercase hex SHA-256 of the file's bytes
   */
  public record TrainingFile(
      @JsonProperty("path") String path, @JsonProperty("sha256") String sha256) {

    public TrainingFile {
      if (path == null || path.isBlank()) {
        throw new IllegalArgumentException(
            "provenance: training file path is required, found "
                + (path == null ? "null" : "'" + path + "'"));
      }
      if (sha256 == null || !SHA256.matcher(sha256).matches()) {
        throw new IllegalArgumentException(
            "provenance: training file '"
                + path
                + "': sha256 must be 64 lowercase hex digits, found "
                + sha256);
      }
    }

    /** Hashes {@code file} and records it under its path as given. */
    public static TrainingFile of(Path file) throws IOException {
      return new TrainingFile(file.toString(), AdapterFiles.sha256(file));
    }
  }
}
