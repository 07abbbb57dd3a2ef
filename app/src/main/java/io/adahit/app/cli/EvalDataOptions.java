package io.adahit.app.cli;

import io.adahit.agents.adapters.LengthOverrides;
import io.adahit.agents.adapters.TextLengths;
import io.adahit.eval.harness.CandidateMode;
import io.adahit.eval.report.RunOptions;
import io.adahit.eval.teachers.Datatype;
import io.adahit.eval.teachers.Teacher;
import io.adahit.eval.teachers.TeacherOptions;
import io.adahit.eval.teachers.TeacherRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The data and ranking options that {@code eval_model} and {@code compare} share, with ParlAI's
 * flag names: which examples, which candidates, how texts are truncated, where embeddings are
 * cached.
 */
final class EvalDataOptions {

  @Option(
      names = {"-t", "--task"},
      required = true,
      split = ",",
      description =
          "Comma list: convai2, wizard_of_wikipedia, empathetic_dialogues, blended_skill_talk, fromfile.")
  List<String> tasks;

  @Mixin DatatypeOption datatype;

  @Option(
      names = {"-ne", "--num-examples"},
      defaultValue = "-1",
      description =
          "Examples per task, -1 for all; more than a split has evaluates the whole split"
              + " with a warning, as ParlAI does (default: ${DEFAULT-VALUE}).")
  int numExamples;

  @Option(
      names = {"-bs", "--batchsize"},
      defaultValue = "32",
      description = "Examples ranked per call; K in batch mode (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(
      names = {"-ecands", "--eval-candidates"},
      defaultValue = "inline",
      description =
          "inline (each example's label_candidates), batch (the batch's labels) or fixed (-fcp) (default: ${DEFAULT-VALUE}).")
  String evalCandidates;

  @Option(
      names = {"-fcp", "--fixed-candidates-path"},
      paramLabel = "FILE",
      description = "Candidates for -ecands fixed, one per line.")
  Path fixedCandidatesPath;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Seed of the sampled negatives (default: ${DEFAULT-VALUE}).")
  long seed;

  @Mixin DataPathOption datapath;

  @Option(
      names = {"--fromfile-datapath", "--fromfile_datapath"},
      paramLabel = "FILE",
      description = "Data file of the fromfile task (ParlAI dialog text format).")
  Path fromfileDatapath;

  @Option(
      names = "--ignore-bad-candidates",
      description = "Skip (and count) examples whose label is not among the candidates.")
  boolean ignoreBadCandidates;

  @Option(
      names = "--text-truncate",
      paramLabel = "N",
      description =
          "Context word pieces, oldest dropped first, for every skill (default: each skill's training length,"
              + " from its adapter_config.json; 256 for a skill without one, e.g. the zero-shot backbone).")
  Integer textTruncate;

  @Option(
      names = "--label-truncate",
      paramLabel = "N",
      description =
          "Candidate word pieces, for every skill (default: each skill's training reply length; 128 for a"
              + " skill without one).")
  Integer labelTruncate;

  @Option(
      names = "--cache-dir",
      defaultValue = ".cache/embeddings",
      description =
          "Embedding cache, keyed by backbone and adapter fingerprints: a second run re-encodes nothing (default: ${DEFAULT-VALUE}).")
  Path cacheDir;

  @Option(names = "--no-cache", description = "Encode everything, read and write no cache.")
  boolean noCache;

  CandidateMode mode() {
    return switch (evalCandidates.toLowerCase()) {
      case "inline" -> CandidateMode.INLINE;
      case "batch" -> CandidateMode.BATCH;
      case "fixed" -> CandidateMode.FIXED;
      default ->
          throw new IllegalArgumentException(
              "-ecands must be inline, batch or fixed, found '" + evalCandidates + "'");
    };
  }

  /** Checks the numbers before anything is read. */
  void validate() {
    if (numExamples == 0 || numExamples < -1) {
      throw new IllegalArgumentException("-ne must be -1 (all) or >= 1, found " + numExamples);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("-bs must be >= 1, found " + batchSize);
    }
    mode();
    Datatype.parse(datatype.name());
    if (textTruncate != null && textTruncate < TextLengths.MIN
        || labelTruncate != null && labelTruncate < TextLengths.MIN) {
      throw new IllegalArgumentException(
          "--text-truncate and --label-truncate must be >= "
              + TextLengths.MIN
              + " word pieces, found "
              + (textTruncate != null && textTruncate < TextLengths.MIN
                  ? "--text-truncate " + textTruncate
                  : "--label-truncate " + labelTruncate));
    }
  }

  /** The -fcp list for fixed mode (empty otherwise). */
  List<String> fixedCandidates() throws IOException {
    if (mode() != CandidateMode.FIXED) {
      return List.of();
    }
    if (fixedCandidatesPath == null) {
      throw new IllegalArgumentException("-ecands fixed needs -fcp FILE (one candidate per line)");
    }
    if (!Files.isRegularFile(fixedCandidatesPath)) {
      throw new NoSuchFileException(
          fixedCandidatesPath.toString(),
          null,
          "fixed candidates file (-fcp) not found in "
              + fixedCandidatesPath.toAbsolutePath().getParent());
    }
    List<String> fixed =
        Files.readAllLines(fixedCandidatesPath, StandardCharsets.UTF_8).stream()
            .filter(l -> !l.isBlank())
            .toList();
    if (fixed.isEmpty()) {
      throw new IllegalArgumentException(
          "-fcp " + fixedCandidatesPath + " holds no candidates (empty candidate list)");
    }
    return fixed;
  }

  /** One teacher per task, in the order given; unknown tasks and missing files fail here. */
  List<Teacher> teachers(TeacherRegistry registry) throws IOException {
    TeacherOptions opts =
        TeacherOptions.of(datapath.path(), Datatype.parse(datatype.name())).withSeed(seed);
    // fromfile reads --fromfile-datapath, or --datapath when that names a file (README's usage)
    Path fromfile =
        fromfileDatapath != null
            ? fromfileDatapath
            : Files.isRegularFile(datapath.path()) ? datapath.path() : null;
    List<Teacher> out = new ArrayList<>();
    for (String task : tasks) {
      String t = task.trim();
      boolean isFromFile = t.equals("fromfile") || t.startsWith("fromfile:");
      out.add(
          registry.create(t, isFromFile && fromfile != null ? opts.withDataFile(fromfile) : opts));
    }
    return out;
  }

  /** The lengths the user gave for every skill (none given: each skill ranks at its own). */
  LengthOverrides overrides() {
    return LengthOverrides.of(textTruncate, labelTruncate);
  }

  /** The embedding cache folder, or null with --no-cache. */
  Path cacheDirOrNull() {
    return noCache ? null : cacheDir;
  }

  /** Whether --text-truncate or --label-truncate was given. */
  boolean truncationGiven() {
    return overrides().any();
  }

  /**
   * These options as a report's opt records them, ParlAI's names.
   *
   * @param ranked the lengths the run ranked at ({@link LengthsOpt#truncation})
   */
  RunOptions.Data opt(LengthsOpt.Truncation ranked) {
    return new RunOptions.Data(
        String.join(",", tasks),
        datatype.name(),
        numExamples,
        batchSize,
        mode().name().toLowerCase(),
        fixedCandidatesPath == null ? null : fixedCandidatesPath.toString(),
        fromfileDatapath == null ? null : fromfileDatapath.toString(),
        seed,
        datapath.path().toString(),
        ranked.text(),
        ranked.label(),
        ignoreBadCandidates);
  }
}
