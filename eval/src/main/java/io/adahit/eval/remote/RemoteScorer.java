package io.adahit.eval.remote;

import io.adahit.agents.ranker.Ranking;
import io.adahit.eval.harness.EvalExample;
import io.adahit.eval.harness.Evaluator;
import io.adahit.eval.harness.Scorer;
import io.adahit.proto.v1.DialogueServiceGrpc;
import io.adahit.proto.v1.RankRequest;
import io.adahit.proto.v1.RankResponse;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Scores through a live server's {@code Rank} call ({@code eval_model --server HOST:PORT}): one
 * call per example with the context as the harness builds it, the example's candidates and the
 * skill, at most {@code maxInFlight} calls at a time (ParlAI's {@code -bs}), each with a deadline.
 * The server encodes with a {@code Ranker} and scores with agents' {@code BatchRanker.rank} as the
 * in-process {@link io.adahit.eval.harness.LocalScorer} does: scores agree within 1e-6 (float
 * rounding of different batch paddings) and the metrics are the same ({@code RemoteEvalTest}). An
 * overloaded server ({@code RESOURCE_EXHAUSTED}) is retried with exponential back-off; any other
 * failure stops the run with a message saying what to do ({@link RemoteErrors}). For a router
 * skill, each result names the skill the server routed to.
 *
 * <pre>{@code
 * try (RemoteModel server = RemoteModel.connect("127.0.0.1:50051", "convai2", 32, Duration.ofMinutes(2))) {
 *   Report r = new Evaluator(server.scorer(null, null), 32, false)
 *       .evaluate(examples, CandidateMode.INLINE, List.of(), n -> {}, null);
 * }
 * }</pre>
 */
public final class RemoteScorer implements Scorer {

  /** Retries of a call the server refused as overloaded. */
  static final int MAX_RETRIES = 5;

  private static final long BACKOFF_MILLIS = 200;

  private final String target;
  private final Channel channel;
  private final DialogueServiceGrpc.DialogueServiceStub stub;
  private final String skill;
  private final List<String> routerSkills;
  private final int maxInFlight;
  private final Duration deadline;

  /**
   * @param skill the server's skill to rank with (resolved: never empty)
   * @param routerSkills the skills a router skill chooses between; empty for a plain skill
   */
  RemoteScorer(
      String target,
      Channel channel,
      String skill,
      List<String> routerSkills,
      int maxInFlight,
      Duration deadline) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException(
          "--server: calls in flight (-bs) must be >= 1, found " + maxInFlight);
    }
    this.target = target;
    this.channel = channel;
    this.stub = DialogueServiceGrpc.newStub(channel);
    this.skill = skill;
    this.routerSkills = List.copyOf(routerSkills);
    this.maxInFlight = maxInFlight;
    this.deadline = deadline;
  }

  private record Failure(int example, Throwable error) {}

  @Override
  public List<Scored> score(
      List<EvalExample> examples, List<List<String>> candidates, Evaluator.Progress progress)
      throws IOException {
    long work = 0; // the server encodes each call's context and candidates
    for (List<String> c : candidates) {
      work += 1 + c.size();
    }
    progress.expect(work);
    Scored[] out = new Scored[examples.size()];
    Semaphore permits = new Semaphore(maxInFlight);
    AtomicReference<Failure> failure = new AtomicReference<>();
    try {
      for (int i = 0; i < examples.size() && failure.get() == null; i++) {
        permits.acquire();
        int idx = i;
        RankRequest request =
            RankRequest.newBuilder()
                .setContext(examples.get(i).context())
                .addAllCandidates(candidates.get(i))
                .setSkill(skill)
                .build();
        call(request, 0)
            .whenComplete(
                (response, error) -> {
                  try {
                    if (error != null) {
                      failure.compareAndSet(null, new Failure(idx, error));
                    } else {
                      out[idx] =
                          scored(response, candidates.get(idx).size(), examples.get(idx).name());
                      synchronized (progress) {
                        progress.advance(1 + candidates.get(idx).size());
                      }
                    }
                  } catch (IOException | RuntimeException e) {
                    failure.compareAndSet(null, new Failure(idx, e));
                  } finally {
                    permits.release();
                  }
                });
      }
      permits.acquire(maxInFlight); // every call has finished
      permits.release(maxInFlight);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(
          "eval_model --server " + target + ": interrupted while waiting for Rank calls");
    }
    Failure f = failure.get();
    if (f != null) {
      throw RemoteErrors.rankFailed(
          target,
          channel,
          skill,
          examples.get(f.example()).name(),
          unwrap(f.error()),
          deadline,
          maxInFlight);
    }
    return List.of(out);
  }

  /** One Rank call, retried with back-off while the server answers RESOURCE_EXHAUSTED. */
  private CompletableFuture<RankResponse> call(RankRequest request, int attempt) {
    CompletableFuture<RankResponse> f = new CompletableFuture<>();
    stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .rank(
            request,
            new StreamObserver<>() {
              @Override
              public void onNext(RankResponse value) {
                f.complete(value);
              }

              @Override
              public void onError(Throwable t) {
                f.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                f.completeExceptionally(
                    new IOException("server " + target + " ended a Rank call without an answer"));
              }
            });
    return f.exceptionallyCompose(
        e -> {
          if (Status.fromThrowable(e).getCode() == Status.Code.RESOURCE_EXHAUSTED
              && attempt < MAX_RETRIES) {
            return CompletableFuture.supplyAsync(
                    () -> attempt,
                    CompletableFuture.delayedExecutor(
                        BACKOFF_MILLIS << attempt, TimeUnit.MILLISECONDS))
                .thenCompose(a -> call(request, a + 1));
          }
          return CompletableFuture.failedFuture(e);
        });
  }

  private Scored scored(RankResponse r, int candidates, String example) throws IOException {
    if (r.getScoresCount() != candidates) {
      throw new IOException(
          "server "
              + target
              + " returned "
              + r.getScoresCount()
              + " scores for the "
              + candidates
              + " candidates of example '"
              + example
              + "'");
    }
    float[] scores = new float[candidates];
    for (int j = 0; j < candidates; j++) {
      scores[j] = r.getScores(j);
    }
    // ranked here with the harness's own tie rule (stable, candidate order), as in process
    return new Scored(Ranking.of(scores), routerSkills.isEmpty() ? null : r.getSkill());
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  @Override
  public List<String> routerSkills() {
    return routerSkills;
  }
}
