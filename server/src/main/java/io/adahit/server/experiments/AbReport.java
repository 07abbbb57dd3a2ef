package io.adahit.server.experiments;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.adahit.server.events.VariantCounts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The online outcome of an experiment, from the stored events: per variant the conversations,
 * episodes and their mean length, the mean rating, and the thumbs-up rate with its 95% Wilson
 * interval; then each variant against the control (the first variant): the two-proportion z-test of
 * the thumbs-up rates, Welch's t-test of the ratings, and how many more conversations per arm it
 * would take for the observed difference to be significant at alpha 0.05 with power 0.8. Undefined
 * numbers (no data, no difference) are null.
 *
 * <pre>{@code
 * AbReport r = AbReport.compute(experiment, store.queries().counts(experiment.name()));
 * r.comparisons().get(0).thumbsP();
 * }</pre>
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AbReport(
    String experiment,
    String skill,
    List<VariantReport> variants,
    List<Comparison> comparisons,
    List<String> notes) {

  /** Significance level and power of the sample-size hint. */
  public static final double ALPHA = 0.05;

  public static final double POWER = 0.8;

  /** One variant's outcome. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record VariantReport(
      String variant,
      String adapter,
      long conversations,
      long episodes,
      long turns,
      Double meanEpisodeLength,
      long ratings,
      Double meanRating,
      Double ratingSd,
      long thumbsUp,
      long thumbsDown,
      Double thumbsUpRate,
      Double thumbsUpLow,
      Double thumbsUpHigh,
      long ratedConversations) {}

  /** A variant against the control; differences are variant minus control. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Comparison(
      String control,
      String variant,
      Double thumbsDiff,
      Double thumbsZ,
      Double thumbsP,
      Double ratingDiff,
      Double ratingT,
      Double ratingDf,
      Double ratingP,
      Long moreConversationsThumbs,
      Long moreConversationsRating) {}

  /**
   * @param experiment the definition (variant order, adapters); its variants without events count
   *     as empty
   * @param counts the store's sums by variant (variants no longer defined are reported after the
   *     others)
   */
  public static AbReport compute(Experiment experiment, Map<String, VariantCounts> counts) {
    Map<String, VariantCounts> ordered = new LinkedHashMap<>();
    Map<String, String> adapters = new LinkedHashMap<>();
    for (Experiment.Variant v : experiment.variants()) {
      ordered.put(v.name(), counts.getOrDefault(v.name(), VariantCounts.empty(v.name())));
      adapters.put(v.name(), v.adapter() == null ? "(as served)" : v.adapter());
    }
    counts.forEach(ordered::putIfAbsent);
    List<VariantReport> variants = new ArrayList<>();
    ordered.values().forEach(c -> variants.add(variant(c, adapters.get(c.variant()))));
    List<Comparison> comparisons = new ArrayList<>();
    VariantCounts control = ordered.values().iterator().next();
    ordered.values().stream().skip(1).forEach(v -> comparisons.add(compare(control, v)));
    List<String> notes =
        List.of(
            "unit: each feedback event is one observation; rate whole conversations (no \"turn\") for independent"
                + " observations, per-turn ratings of one conversation are correlated and make p-values optimistic",
            "thumbs: two-proportion z-test (pooled); rating: Welch's t-test; 95% Wilson intervals; two-sided p-values",
            "each variant is compared with the control '"
                + control.variant()
                + "' without a multiplicity correction"
                + (ordered.size() > 2
                    ? " (with "
                        + (ordered.size() - 1)
                        + " comparisons use alpha "
                        + String.format(java.util.Locale.ROOT, "%.4f", ALPHA / (ordered.size() - 1))
                        + ")"
                    : ""),
            "more_conversations: per arm, until the observed difference would be significant at alpha "
                + ALPHA
                + " with power "
                + POWER
                + " (0 = already enough; null = no difference or too little data)");
    return new AbReport(experiment.name(), experiment.skill(), variants, comparisons, notes);
  }

  private static VariantReport variant(VariantCounts c, String adapter) {
    long thumbs = c.thumbsUp() + c.thumbsDown();
    AbStatistics.Interval ci = thumbs == 0 ? null : AbStatistics.wilson(c.thumbsUp(), thumbs, 0.95);
    return new VariantReport(
        c.variant(),
        adapter,
        c.conversations(),
        c.episodes(),
        c.turns(),
        c.episodes() == 0 ? null : (double) c.turns() / c.episodes(),
        c.ratings(),
        mean(c),
        sd(c),
        c.thumbsUp(),
        c.thumbsDown(),
        thumbs == 0 ? null : (double) c.thumbsUp() / thumbs,
        ci == null ? null : ci.low(),
        ci == null ? null : ci.high(),
        c.ratedConversations());
  }

  private static Comparison compare(VariantCounts a, VariantCounts b) {
    long na = a.thumbsUp() + a.thumbsDown();
    long nb = b.thumbsUp() + b.thumbsDown();
    AbStatistics.Test z = AbStatistics.twoProportion(a.thumbsUp(), na, b.thumbsUp(), nb);
    Double thumbsDiff =
        na == 0 || nb == 0 ? null : (double) b.thumbsUp() / nb - (double) a.thumbsUp() / na;
    Long moreThumbs = null;
    if (thumbsDiff != null) {
      double need =
          AbStatistics.sampleSizeProportions(
              (double) a.thumbsUp() / na, (double) b.thumbsUp() / nb, ALPHA, POWER);
      moreThumbs = moreConversations(need, Math.min(na, nb), na + nb, a, b);
    }
    Double meanA = mean(a);
    Double meanB = mean(b);
    Double sdA = sd(a);
    Double sdB = sd(b);
    AbStatistics.Test t =
        sdA == null || sdB == null
            ? new AbStatistics.Test(Double.NaN, Double.NaN, Double.NaN)
            : AbStatistics.welch(meanA, sdA * sdA, a.ratings(), meanB, sdB * sdB, b.ratings());
    Long moreRating = null;
    if (sdA != null && sdB != null) {
      double need = AbStatistics.sampleSizeMeans(meanB - meanA, sdA, sdB, ALPHA, POWER);
      moreRating =
          moreConversations(
              need, Math.min(a.ratings(), b.ratings()), a.ratings() + b.ratings(), a, b);
    }
    return new Comparison(
        a.variant(),
        b.variant(),
        thumbsDiff,
        orNull(z.statistic()),
        orNull(z.p()),
        meanA == null || meanB == null ? null : meanB - meanA,
        orNull(t.statistic()),
        orNull(t.df()),
        orNull(t.p()),
        moreThumbs,
        moreRating);
  }

  /**
   * Observations still needed per arm ({@code need - have}), turned into conversations with the
   * observed number of such observations per assigned conversation.
   */
  private static Long moreConversations(
      double need, long have, long observations, VariantCounts a, VariantCounts b) {
    if (Double.isNaN(need) || Double.isInfinite(need)) {
      return null;
    }
    long conversations = a.conversations() + b.conversations();
    if (conversations == 0) {
      conversations = a.ratedConversations() + b.ratedConversations();
    }
    if (conversations == 0 || observations == 0) {
      return null;
    }
    double perConversation = (double) observations / conversations;
    double more = Math.ceil(need) - have;
    return more <= 0 ? 0L : (long) Math.ceil(more / perConversation);
  }

  private static Double mean(VariantCounts c) {
    return c.ratings() == 0 ? null : (double) c.ratingSum() / c.ratings();
  }

  private static Double sd(VariantCounts c) {
    if (c.ratings() < 2) {
      return null;
    }
    double n = c.ratings();
    double m = c.ratingSum() / n;
    return Math.sqrt(Math.max(0, (c.ratingSquares() - n * m * m) / (n - 1)));
  }

  private static Double orNull(double x) {
    return Double.isNaN(x) ? null : x;
  }
}
