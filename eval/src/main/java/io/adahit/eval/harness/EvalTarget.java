package io.adahit.eval.harness;

import io.adahit.agents.adapters.LengthOverrides;
import io.adahit.agents.adapters.TextLengths;
import io.adahit.agents.ranker.RankerOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What an evaluation ranks with, as {@code eval_model} sees it: one skill (or the zero-shot
 * backbone) in this process ({@link RankingModel}), a skill router over a skills folder ({@link
 * RoutedModel}), or a live server ({@code io.adahit.eval.remote.RemoteModel}). Each gives the
 * {@link Scorer} the evaluator ranks with (each skill at its own text lengths unless the user gave
 * some, {@link #scorerFor}), what the report's {@code opt} says about it and the lengths it ranks
 * at, and the training files the contamination guard checks.
 *
 * <pre>{@code
 * try (EvalTarget m = RoutedModel.load(backbone, Path.of("skills"), "auto")) {
 *   Scorer s = m.scorerFor(LengthOverrides.NONE, Path.of(".cache/embeddings"));   // each skill's lengths
 *   Evaluator.Result r = new Evaluator(s, 32, false).run(examples, CandidateMode.INLINE, List.of(), n -> {}, null);
 *   Contamination.find("convai2", teacher.dataFile(), m.trainingFiles());
 * }
 * }</pre>
 */
public interface EvalTarget extends AutoCloseable {

  /**
   * The scorer for one run: every skill involved ranks at its own lengths ({@link #lengths}), with
   * the lengths the user gave in their place.
   *
   * @param overrides lengths given for every skill (flags), or {@link LengthOverrides#NONE}
   * @param cacheDir the embedding cache folder, or null for none (in-process scorers)
   */
  Scorer scorerFor(LengthOverrides overrides, Path cacheDir);

  /**
   * The lengths each skill involved ranks at under {@code overrides}, by skill name (a router's
   * routed skills; {@code zero-shot} for the backbone alone), for the report's {@code opt}.
   */
  Map<String, TextLengths> lengths(LengthOverrides overrides);

  /**
   * A scorer with the same options for every skill, whatever lengths they were trained at.
   *
   * @param options how contexts and candidates are truncated (in-process scorers)
   * @param cacheDir the embedding cache folder, or null for none (in-process scorers)
   */
  Scorer scorer(RankerOptions options, Path cacheDir);

  /**
   * Every training file the adapters involved list in their provenance (empty: nothing to check).
   */
  List<Contamination.TrainingSource> trainingFiles();

  /** Whether the report carries a {@code contaminated} verdict (adapters were evaluated here). */
  boolean checksContamination();

  /** The run's {@code opt} entries describing the model. */
  Map<String, Object> describe();

  /** The agent's id in world logs, e.g. {@code skill:convai2}. */
  String agentId();

  /** A one-line description, e.g. for the compare table. */
  String label();

  @Override
  void close();
}
