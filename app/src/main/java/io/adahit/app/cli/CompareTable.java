package io.adahit.app.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adahit.eval.metrics.PairedComparison;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/** The table {@code compare} prints, and its JSON entries. */
final class CompareTable {

  private CompareTable() {}

  static void print(
      PrintWriter out, String labelA, String labelB, Map<String, PairedComparison.Result> byTask) {
    out.println("A = " + labelA);
    out.println("B = " + labelB);
    out.printf(
        Locale.ROOT,
        "%-22s %6s %8s %8s %8s %22s %6s %6s %11s %11s%n",
        "task",
        "exs",
        "A hits@1",
        "B hits@1",
        "B - A",
        "95% CI (paired boot.)",
        "A only",
        "B only",
        "McNemar p",
        "chi2cc p");
    byTask.forEach(
        (task, r) ->
            out.printf(
                Locale.ROOT,
                "%-22s %6d %8.4f %8.4f %+8.4f %22s %6d %6d %11.3g %11.3g%n",
                task,
                r.n(),
                r.meanA(),
                r.meanB(),
                r.diff(),
                String.format(Locale.ROOT, "[%+.4f, %+.4f]", r.ciLow(), r.ciHigh()),
                r.aOnly(),
                r.bOnly(),
                r.mcnemarExactP(),
                r.mcnemarChi2P()));
    out.println(
        "McNemar p: exact two-sided binomial test on the discordant pairs; chi2cc p: the"
            + " continuity-corrected chi-square approximation. CI: percentile bootstrap over examples.");
    out.flush();
  }

  static ObjectNode toJson(PairedComparison.Result r, int skipped) {
    ObjectNode m = JsonNodeFactory.instance.objectNode();
    m.put("exs", r.n());
    m.put("a_hits@1", r.meanA());
    m.put("b_hits@1", r.meanB());
    m.put("diff", r.diff());
    m.put("ci_level", PairedComparison.LEVEL);
    m.put("ci_low", r.ciLow());
    m.put("ci_high", r.ciHigh());
    m.put("bootstrap_samples", r.resamples());
    m.put("bootstrap_seed", r.seed());
    m.put("a_only", r.aOnly());
    m.put("b_only", r.bOnly());
    m.put("mcnemar_exact_p", r.mcnemarExactP());
    m.put("mcnemar_chi2_cc", r.mcnemarChi2());
    m.put("mcnemar_chi2_cc_p", r.mcnemarChi2P());
    if (skipped > 0) {
      m.put("skipped_bad_candidates", skipped);
    }
    return m;
  }
}
