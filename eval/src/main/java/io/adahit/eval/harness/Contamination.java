package io.adahit.eval.harness;

import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.adapters.Provenance;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * An evaluated data file that is also one of the adapter's training files: the scores are not
 * held-out results. Found by content (SHA-256 of the bytes), so a copy or another path to the same
 * file is caught too.
 *
 * <pre>{@code
 * Optional<Contamination> c = Contamination.find("convai2", teacher.dataFile(), model.trainingFiles());
 * c.ifPresent(x -> System.err.println(x.message()));
 * }</pre>
 *
 * @param task the evaluated task
 * @param dataFile the file the teacher read
 * @param sha256 its SHA-256
 * @param skill the adapter whose provenance lists it (a hierarchical skill's base counts too)
 * @param trainingPath the path under which the provenance lists it
 */
public record Contamination(
    String task, Path dataFile, String sha256, String skill, String trainingPath) {

  /** A training file of one adapter (the evaluated skill or the base it stacks on). */
  public record TrainingSource(String skill, Provenance.TrainingFile file) {}

  /**
   * @return the first training file with the same content as {@code dataFile}, if any
   * @throws IOException if {@code dataFile} cannot be read
   */
  public static Optional<Contamination> find(
      String task, Path dataFile, List<TrainingSource> sources) throws IOException {
    if (sources.isEmpty()) {
      return Optional.empty();
    }
    String sha = AdapterFiles.sha256(dataFile);
    for (TrainingSource s : sources) {
      if (s.file().sha256().equals(sha)) {
        return Optional.of(new Contamination(task, dataFile, sha, s.skill(), s.file().path()));
      }
    }
    return Optional.empty();
  }

  /** The loud warning the CLI prints. */
  public String message() {
    return "CONTAMINATED: task '"
        + task
        + "' evaluates "
        + dataFile
        + " (sha256 "
        + sha256
        + "), which adapter '"
        + skill
        + "' was trained on (its provenance lists '"
        + trainingPath
        + "'). These numbers are NOT held-out results.";
  }
}
