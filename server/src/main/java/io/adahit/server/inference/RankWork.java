package io.adahit.server.inference;

import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.ranker.BatchRanker;
import io.adahit.agents.ranker.DistinctTexts;
import io.adahit.agents.ranker.Ranker;
import io.adahit.agents.ranker.RankerOptions;
import io.adahit.agents.ranker.Ranking;
import io.adahit.agents.ranker.TextEncoder;
import io.adahit.agents.routing.SkillRouter;
import io.adahit.server.metrics.ServerMetrics;
import io.adahit.server.skills.Skill;
import io.adahit.server.skills.SkillLeases;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One Rank call cut into pieces the scheduler runs one at a time, with chat turns between them:
 * first the context (routed first for a router skill), then the distinct candidates that earlier
 * calls did not leave in {@link CandidateEmbeddings}, longest first, in chunks of {@code chunk},
 * each encoded by a {@link Ranker} (and kept for later calls), then the scores by agents' {@link
 * BatchRanker#rank}, as {@link Ranker#rank} scores. The result equals {@link Ranker#rank} with
 * {@link RankerOptions#defaults()} at the answering skill's lengths up to float rounding (a text's
 * embedding depends on its batch's padding only by rounding). A call whose future is already done
 * when a piece is due (the client cancelled, or its deadline passed) stops there: no further piece
 * is encoded.
 *
 * <pre>{@code
 * RankWork w = new RankWork(skill, context, candidates, future, 256, leaseTarget, kept);
 * while (!w.step(backbone, metrics)) { runWaitingTurns(); }
 * }</pre>
 *
 * <p>Not thread-safe: the scheduler's thread runs it.
 */
final class RankWork {

  private final Skill requested;
  private final String context;
  private final List<String> candidates;
  private final CompletableFuture<TurnScheduler.Ranked> future;
  private final int chunk;
  private final Function<String, SkillLeases.Lease> leaseRouted;
  private final CandidateEmbeddings kept;
  private final List<SkillLeases.Lease> held = new ArrayList<>(1);
  private Skill skill;
  private SkillRouter.Routing routing;
  private Ranker ranker;
  private List<String> distinct;
  private int[][] lists; // the call's candidates as positions in distinct
  private Integer[] byLength; // distinct indices not kept, longest first: chunks pad little
  private float[] contextEmbedding;
  private float[][] candidateEmbeddings;
  private int encoded; // entries of byLength encoded so far

  /**
   * @param leaseRouted leases the skill a router skill picked (by name), for as long as this work
   *     runs
   * @param kept candidate embeddings of earlier calls, read and added to
   */
  RankWork(
      Skill skill,
      String context,
      List<String> candidates,
      CompletableFuture<TurnScheduler.Ranked> future,
      int chunk,
      Function<String, SkillLeases.Lease> leaseRouted,
      CandidateEmbeddings kept) {
    this.requested = skill;
    this.context = context;
    this.candidates = candidates;
    this.future = future;
    this.chunk = chunk;
    this.leaseRouted = leaseRouted;
    this.kept = kept;
  }

  CompletableFuture<TurnScheduler.Ranked> future() {
    return future;
  }

  /**
   * Pieces a call of {@code candidates} distinct texts takes at most: the context, then one per
   * chunk (fewer when earlier calls left some of their embeddings).
   */
  static int pieces(int candidates, int chunk) {
    return 1 + (candidates + chunk - 1) / chunk;
  }

  /**
   * Runs the next piece.
   *
   * @return true when the work is over: answered, failed, or dropped because its caller has gone
   */
  boolean step(Backbone backbone, ServerMetrics metrics) {
    if (future.isDone()) {
      metrics.rankAbandoned();
      release();
      return true;
    }
    try {
      if (ranker == null) {
        start(backbone);
      } else {
        int to = Math.min(byLength.length, encoded + chunk);
        List<String> texts = new ArrayList<>(to - encoded);
        for (int k = encoded; k < to; k++) {
          texts.add(distinct.get(byLength[k]));
        }
        float[][] e = ranker.encodeCandidates(texts);
        for (int k = encoded; k < to; k++) {
          candidateEmbeddings[byLength[k]] = e[k - encoded];
          kept.put(
              skill.adapters(), skill.lengths().label(), texts.get(k - encoded), e[k - encoded]);
        }
        encoded = to;
      }
      metrics.rankPiece();
      if (encoded < byLength.length) {
        return false;
      }
      Ranking ranking =
          BatchRanker.rank(new float[][] {contextEmbedding}, candidateEmbeddings, lists).get(0);
      release();
      future.complete(new TurnScheduler.Ranked(skill.name(), ranking, routing));
      return true;
    } catch (RuntimeException e) {
      release();
      future.completeExceptionally(e);
      return true;
    }
  }

  /**
   * The first piece: routes (a router skill), encodes the context, lists the distinct candidates.
   */
  private void start(Backbone backbone) {
    skill = requested;
    if (skill.isRouter()) {
      routing = skill.router().route(context);
      SkillLeases.Lease lease = leaseRouted.apply(routing.skill());
      held.add(lease);
      skill = lease.skill();
    }
    TextEncoder enc = skill.adapters() == null ? TextEncoder.of(backbone) : skill.adapters()::embed;
    ranker = new Ranker(enc, RankerOptions.defaults().withLengths(skill.lengths()));
    contextEmbedding = ranker.encodeContexts(List.of(context))[0];
    DistinctTexts d = DistinctTexts.of(List.of(candidates));
    distinct = d.texts();
    lists = d.lists();
    candidateEmbeddings = new float[distinct.size()][];
    List<Integer> toEncode = new ArrayList<>();
    for (int i = 0; i < distinct.size(); i++) {
      candidateEmbeddings[i] = kept.get(skill.adapters(), skill.lengths().label(), distinct.get(i));
      if (candidateEmbeddings[i] == null) {
        toEncode.add(i);
      }
    }
    byLength = toEncode.toArray(new Integer[0]);
    java.util.Arrays.sort(
        byLength, java.util.Comparator.comparingInt((Integer i) -> -distinct.get(i).length()));
  }

  private synchronized void release() {
    held.forEach(SkillLeases.Lease::close);
    held.clear();
  }

  /** Fails the work (shutdown) and releases what it holds. */
  void fail(RuntimeException why) {
    release();
    future.completeExceptionally(why);
  }
}
