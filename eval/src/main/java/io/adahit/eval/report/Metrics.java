package io.adahit.eval.report;

import io.adahit.eval.metrics.Report;
import java.util.Map;

/**
 * ParlAI's ranking metrics of one task, or of several tasks combined ({@link
 * io.adahit.eval.metrics.MultiTaskReport}), as a report file records them. A null value is a metric
 * the report does not record (no f1 in reports of older runs; {@code bad_candidates} only when
 * examples were skipped).
 *
 * <pre>{@code
 * Metrics m = Metrics.of(report.toMap());
 * m.hits1();   // 0.87
 * }</pre>
 *
 * @param exs examples scored
 * @param accuracy exact match of the top candidate with a label
 * @param f1 unigram F1 of the top candidate
 * @param hits1 hits@1
 * @param hits5 hits@5
 * @param hits10 hits@10
 * @param hits100 hits@100
 * @param mrr mean reciprocal rank
 * @param rank mean rank of the gold
 * @param badCandidates examples skipped because no label was among their candidates
 */
public record Metrics(
    long exs,
    Double accuracy,
    Double f1,
    Double hits1,
    Double hits5,
    Double hits10,
    Double hits100,
    Double mrr,
    Double rank,
    Long badCandidates) {

  /** The metrics of ParlAI's flat map ({@link Report#toMap()}, keys without a task prefix). */
  public static Metrics of(Map<String, Number> parlai) {
    Number exs = parlai.get(Report.EXS);
    Number bad = parlai.get(Report.BAD_CANDIDATES);
    return new Metrics(
        exs == null ? 0 : exs.longValue(),
        value(parlai, Report.ACCURACY),
        value(parlai, Report.F1),
        value(parlai, Report.hitsKey(1)),
        value(parlai, Report.hitsKey(5)),
        value(parlai, Report.hitsKey(10)),
        value(parlai, Report.hitsKey(100)),
        value(parlai, Report.MRR),
        value(parlai, Report.RANK),
        bad == null ? null : bad.longValue());
  }

  private static Double value(Map<String, Number> m, String key) {
    Number n = m.get(key);
    return n == null ? null : n.doubleValue();
  }
}
