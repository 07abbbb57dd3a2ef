package io.adahit.agents.training;

import ai.djl.ndarray.NDArray;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.backbone.FloatTensor;
import io.adahit.agents.backbone.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A resumable training state in one file, {@code checkpoint.safetensors}: the adapter's weights,
 * AdaMax's moments, and metadata (step, the run's fingerprint). The file is replaced atomically, so
 * a run killed at any moment leaves the previous checkpoint or the new one, never half of one.
 * Batch order is a pure function of (seed, step), so weights + moments + step resume the run
 * exactly.
 */
public final class TrainingCheckpoint {

  public static final String FILE = "checkpoint.safetensors";

  /** What a checkpoint says about its run. */
  public record State(long step, String runFingerprint, double lastLoss) {}

  private TrainingCheckpoint() {}

  /** Writes the state of {@code set} and {@code optimizer} after {@code step} steps. */
  public static void save(Path dir, AdapterSet set, AdaMax optimizer, State state)
      throws IOException {
    Files.createDirectories(dir);
    List<FloatTensor> weights = set.tensors();
    List<String> names = weights.stream().map(FloatTensor::name).toList();
    List<FloatTensor> all = new ArrayList<>(weights);
    all.addAll(optimizer.state(names).values());
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "pt");
    meta.put("skill", set.skill());
    meta.put("step", Long.toString(state.step()));
    meta.put("run_fingerprint", state.runFingerprint());
    meta.put("last_loss", Double.toString(state.lastLoss()));
    Safetensors.write(dir.resolve(FILE), all, meta);
  }

  /** True if {@code dir} holds a checkpoint. */
  public static boolean exists(Path dir) {
    return Files.isRegularFile(dir.resolve(FILE));
  }

  /**
   * Restores weights and moments into {@code set} and {@code optimizer}.
   *
   * @throws IOException if the file is unreadable, from another run, or does not fit the set
   */
  public static State restore(Path dir, AdapterSet set, AdaMax optimizer, String runFingerprint)
      throws IOException {
    Path file = dir.resolve(FILE);
    Safetensors.Contents c = Safetensors.read(file);
    Map<String, String> meta = c.metadata();
    String fp = meta.get("run_fingerprint");
    if (!runFingerprint.equals(fp)) {
      throw new IOException(
          "checkpoint "
              + file
              + " belongs to another run (fingerprint "
              + fp
              + ", this run "
              + runFingerprint
              + "): its skill, data or settings differ; delete it or "
              + "choose another checkpoint directory");
    }
    long step;
    try {
      step = Long.parseLong(meta.getOrDefault("step", ""));
    } catch (NumberFormatException e) {
      throw new IOException("checkpoint " + file + ": metadata 'step' is missing or not a number");
    }
    List<String> names = new ArrayList<>();
    List<NDArray> params = set.parameters();
    List<FloatTensor> current = set.tensors();
    try {
      for (int i = 0; i < params.size(); i++) {
        String name = current.get(i).name();
        names.add(name);
        AdaMax.copyInto(params.get(i), c.tensors().get(name), name);
      }
      optimizer.restore(names, c.tensors(), step);
    } catch (IllegalArgumentException e) {
      throw new IOException("checkpoint " + file + ": " + e.getMessage(), e);
    }
    double loss = Double.parseDouble(meta.getOrDefault("last_loss", "NaN"));
    return new State(step, fp, loss);
  }
}
