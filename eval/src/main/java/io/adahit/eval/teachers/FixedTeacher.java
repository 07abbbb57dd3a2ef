package io.adahit.eval.teachers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.OptionalInt;

/**
 * The common part of every teacher in this package: episodes parsed by a reader, completed with
 * candidates, held in memory (ParlAI's {@code FixedDialogTeacher} in spirit). Code outside the
 * package implements {@link Teacher} directly.
 *
 * <p>Subclasses parse their format into {@link Draft}s and pass them up; this class drops empty
 * episodes, sets {@code episodeDone} on each episode's last example, and gives every example that
 * has no candidates of its own K sampled ones ({@link CandidateSampler}) when a K is known.
 *
 * <pre>{@code
 * final class MyTeacher extends FixedTeacher {
 *   MyTeacher(TeacherOptions o, Path f, List<List<Draft>> eps) {
 *     super("my_task", "my_task", o, f, eps, OptionalInt.of(100), List.of("..."));
 *   }
 * }
 * }</pre>
 */
abstract class FixedTeacher implements Teacher {

  private final String task;
  private final Datatype datatype;
  private final Path dataFile;
  private final List<Episode> episodes;
  private final int numExamples;
  private final String candidateSource;
  private final List<String> knownDifferences;

  /**
   * @param task the registry name
   * @param id ParlAI's {@code id} field for the examples
   * @param options the options it was created with (datatype, seed, K override)
   * @param dataFile the file read
   * @param drafts parsed episodes; empty ones are dropped
   * @param defaultK the task's K for sampled candidates, or empty for "sample only if asked"
   * @param differences known differences from ParlAI's teacher
   */
  FixedTeacher(
      String task,
      String id,
      TeacherOptions options,
      Path dataFile,
      List<List<Draft>> drafts,
      OptionalInt defaultK,
      List<String> differences) {
    this.task = task;
    this.datatype = options.datatype();
    this.dataFile = dataFile;
    List<List<Draft>> nonEmpty = drafts.stream().filter(ep -> !ep.isEmpty()).toList();
    OptionalInt k = options.numCandidates().isPresent() ? options.numCandidates() : defaultK;
    CandidateSampler sampler = null;
    long missing =
        nonEmpty.stream().flatMap(List::stream).filter(d -> d.candidates() == null).count();
    if (missing > 0 && k.isPresent()) {
      List<String> pool = new ArrayList<>();
      List<Integer> poolEpisodes = new ArrayList<>();
      for (int e = 0; e < nonEmpty.size(); e++) {
        for (Draft d : nonEmpty.get(e)) {
          pool.add(d.labels().get(0));
          poolEpisodes.add(e);
        }
      }
      sampler = new CandidateSampler(pool, poolEpisodes, options.seed(), k.getAsInt());
    }
    List<Episode> eps = new ArrayList<>(nonEmpty.size());
    IntSummaryStatistics fileK = new IntSummaryStatistics();
    int sampled = 0;
    int none = 0;
    long index = 0;
    for (int e = 0; e < nonEmpty.size(); e++) {
      List<Draft> ds = nonEmpty.get(e);
      List<Example> exs = new ArrayList<>(ds.size());
      for (int i = 0; i < ds.size(); i++, index++) {
        Draft d = ds.get(i);
        List<String> cands;
        if (d.candidates() != null) {
          cands = d.candidates();
          fileK.accept(cands.size());
        } else if (sampler != null) {
          String name = task + " " + datatype + " episode " + e + " example " + i;
          cands = sampler.sample(name, index, e, d.labels());
          sampled++;
        } else {
          cands = List.of();
          none++;
        }
        exs.add(new Example(id, d.text(), d.labels(), cands, i == ds.size() - 1, d.fields()));
      }
      eps.add(new Episode(e, exs));
    }
    this.episodes = List.copyOf(eps);
    this.numExamples = (int) index;
    this.candidateSource = describe(fileK, sampled, none, sampler, options.seed());
    this.knownDifferences = List.copyOf(differences);
  }

  private static String describe(
      IntSummaryStatistics fileK, int sampled, int none, CandidateSampler sampler, long seed) {
    List<String> parts = new ArrayList<>();
    boolean mixed = (fileK.getCount() > 0 ? 1 : 0) + (sampled > 0 ? 1 : 0) + (none > 0 ? 1 : 0) > 1;
    if (fileK.getCount() > 0) {
      String kk =
          fileK.getMin() == fileK.getMax()
              ? "K = " + fileK.getMin()
              : "K = " + fileK.getMin() + ".." + fileK.getMax();
      parts.add(
          "the data file's label_candidates ("
              + kk
              + ", as ParlAI's inline candidates)"
              + (mixed ? " for " + fileK.getCount() + " examples" : ""));
    }
    if (sampled > 0) {
      parts.add(
          "gold + "
              + (sampler.k() - 1)
              + " sampled from other episodes' labels of this split,"
              + " seed "
              + seed
              + " (negatives distinct from each other and from the labels after"
              + " ParlAI normalisation; gold at a seeded random position)"
              + (mixed ? " for " + sampled + " examples" : ""));
    }
    if (none > 0) {
      parts.add(
          "none: the data gives no label_candidates and no K was set"
              + (mixed ? " for " + none + " examples" : ""));
    }
    return parts.isEmpty() ? "none: no examples" : String.join("; ", parts);
  }

  @Override
  public final String task() {
    return task;
  }

  @Override
  public final Datatype datatype() {
    return datatype;
  }

  @Override
  public final Path dataFile() {
    return dataFile;
  }

  @Override
  public final List<Episode> episodes() {
    return episodes;
  }

  @Override
  public final int numExamples() {
    return numExamples;
  }

  @Override
  public final String candidateSource() {
    return candidateSource;
  }

  @Override
  public final List<String> knownDifferences() {
    return knownDifferences;
  }

  @Override
  public String toString() {
    return task
        + " "
        + datatype
        + " ("
        + dataFile
        + "): "
        + numEpisodes()
        + " episodes, "
        + numExamples
        + " examples; candidates: "
        + candidateSource;
  }
}
