package io.adahit.server.inference;

import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.EncodeOptions;
import io.adahit.agents.ranker.BatchRanker;
import io.adahit.agents.ranker.RankerOptions;
import io.adahit.agents.routing.SkillRouter;
import io.adahit.server.metrics.ServerMetrics;
import io.adahit.server.skills.Skill;
import io.adahit.server.skills.SkillLeases;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Answers one micro-batch of turns, deciding what runs together: turns of a router skill are routed
 * first (one zero-shot pass per router over its turns' contexts) and their target skill leased
 * until the batch is answered; each context is cut at the length of the skill that answers it
 * ({@link Skill#lengths()}); the rows, sorted by length, are cut into forward passes of at most
 * {@link TurnScheduler#TOKENS_PER_PASS} padded tokens, and within a pass grouped by skill. Each
 * pass is encoded and scored by agents' {@link BatchRanker#top} (one backbone pass, one matrix
 * product per skill against its {@link io.adahit.agents.ranker.CandidateIndex}, top-k with repeat
 * blocking); this class holds no tensors.
 *
 * <pre>{@code
 * List<TurnResult> results = new TurnBatch(backbone, leases, metrics).answer(requests);
 * }</pre>
 *
 * <p>Not thread-safe: each of the scheduler's loops has its own.
 */
final class TurnBatch {

  /**
   * How contexts are tokenized (truncation keeps the end, L2-normalised); the length is each
   * skill's.
   */
  private static final EncodeOptions CONTEXT = RankerOptions.defaults().context();

  private final Backbone backbone;
  private final BatchRanker ranker;
  private final SkillLeases leases;
  private final ServerMetrics metrics;

  TurnBatch(Backbone backbone, SkillLeases leases, ServerMetrics metrics) {
    this.backbone = backbone;
    this.ranker = new BatchRanker(backbone, RankerOptions.defaults());
    this.leases = leases;
    this.metrics = metrics;
  }

  /** One result per request, in order; routed-to skills are released once scored, or on failure. */
  List<TurnResult> answer(List<TurnRequest> requests) {
    List<SkillLeases.Lease> held = new ArrayList<>();
    try {
      return answer(requests, held);
    } finally {
      held.forEach(SkillLeases.Lease::close);
    }
  }

  private List<TurnResult> answer(List<TurnRequest> requests, List<SkillLeases.Lease> held) {
    List<String> contexts = requests.stream().map(TurnRequest::context).toList();
    SkillRouter.Routing[] routings = new SkillRouter.Routing[requests.size()];
    Skill[] skills =
        route(requests.stream().map(TurnRequest::skill).toList(), contexts, routings, held);
    long[][] rows = tokenize(contexts, skills);
    Integer[] order = new Integer[requests.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingInt((Integer i) -> rows[i].length));
    TurnResult[] out = new TurnResult[requests.size()];
    int start = 0;
    while (start < order.length) {
      int end = start + 1;
      while (end < order.length
          && (long) (end + 1 - start) * rows[order[end]].length <= TurnScheduler.TOKENS_PER_PASS) {
        end++;
      }
      List<Integer> pass = new ArrayList<>(List.of(order).subList(start, end));
      // group rows by Skill object, not name: experiment variants (and a skill's old and new
      // adapter
      // during a hot replace) share a name but not adapters or pools
      pass.sort(
          Comparator.comparing((Integer i) -> skills[i].name())
              .thenComparingInt(i -> System.identityHashCode(skills[i])));
      answerPass(requests, skills, routings, rows, pass, out);
      start = end;
    }
    return List.of(out);
  }

  /**
   * Each context's word pieces, cut at the length of the skill that answers it (the latest kept): a
   * batch may mix skills trained at different lengths.
   */
  private long[][] tokenize(List<String> contexts, Skill[] skills) {
    long[][] rows = new long[contexts.size()][];
    Map<Integer, List<Integer>> byLength = new TreeMap<>();
    for (int i = 0; i < skills.length; i++) {
      int len = Math.min(skills[i].lengths().text(), backbone.config().maxPositions());
      byLength.computeIfAbsent(len, k -> new ArrayList<>()).add(i);
    }
    byLength.forEach(
        (len, idx) -> {
          long[][] part =
              backbone
                  .tokenizer()
                  .encodeRows(idx.stream().map(contexts::get).toList(), len, CONTEXT.truncation());
          for (int k = 0; k < idx.size(); k++) {
            rows[idx.get(k)] = part[k];
          }
        });
    return rows;
  }

  /**
   * The skill that answers each turn: its own, or for a router skill's turn the skill its router
   * picks from the context ({@code routings[i]} records that decision), leased into {@code held}.
   * One router pass per router.
   */
  private Skill[] route(
      List<Skill> requested,
      List<String> contexts,
      SkillRouter.Routing[] routings,
      List<SkillLeases.Lease> held) {
    Skill[] out = requested.toArray(new Skill[0]);
    Map<String, List<Integer>> byRouter = new TreeMap<>();
    for (int i = 0; i < out.length; i++) {
      if (out[i].isRouter()) {
        byRouter.computeIfAbsent(out[i].name(), k -> new ArrayList<>()).add(i);
      }
    }
    for (List<Integer> rows : byRouter.values()) {
      Skill routerSkill = out[rows.get(0)];
      List<SkillRouter.Routing> r =
          routerSkill.router().route(rows.stream().map(contexts::get).toList());
      for (int k = 0; k < rows.size(); k++) {
        int i = rows.get(k);
        routings[i] = r.get(k);
        String routed = r.get(k).skill();
        SkillLeases.Lease lease = leases.acquire(() -> routerSkill.target(routed));
        held.add(lease);
        out[i] = lease.skill();
      }
    }
    return out;
  }

  /** One forward pass: the pass's rows, grouped by skill, answered by {@link BatchRanker#top}. */
  private void answerPass(
      List<TurnRequest> requests,
      Skill[] skills,
      SkillRouter.Routing[] routings,
      long[][] rows,
      List<Integer> pass,
      TurnResult[] out) {
    long[][] passRows = new long[pass.size()][];
    List<BatchRanker.Want> wants = new ArrayList<>(pass.size());
    for (int r = 0; r < passRows.length; r++) {
      passRows[r] = rows[pass.get(r)];
      TurnRequest req = requests.get(pass.get(r));
      wants.add(new BatchRanker.Want(req.topK(), req.blocked()));
    }
    List<BatchRanker.Segment> segments = new ArrayList<>();
    List<Skill> segmentSkills = new ArrayList<>();
    int from = 0;
    for (int r = 1; r <= pass.size(); r++) {
      Skill s = skills[pass.get(from)];
      if (r == pass.size() || skills[pass.get(r)] != s) {
        segments.add(new BatchRanker.Segment(from, r, s.adapters(), s.candidates()));
        segmentSkills.add(s);
        from = r;
      }
    }
    List<BatchRanker.Top> tops =
        ranker.top(
            passRows,
            segments,
            wants,
            (g, nanos) -> metrics.scoring(segmentSkills.get(g).name(), nanos));
    for (int r = 0; r < pass.size(); r++) {
      int i = pass.get(r);
      BatchRanker.Top top = tops.get(r);
      out[i] =
          new TurnResult(skills[i].name(), top.texts(), top.scores(), requests.size(), routings[i]);
    }
  }
}
