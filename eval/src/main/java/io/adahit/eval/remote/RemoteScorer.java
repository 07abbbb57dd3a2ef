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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Scores through a live server's {@code Rank} call ({@code eval_model --server HOST:PORT}): one
 * call per example with the context as the harness builds it, the example's candidates and the
 * skill, at most {@code maxInFlight} calls at a time (ParlAI's {@code -bs}), each with a deadline.
 * The server encodes with a {@code Ranker} and scores with agents' {@code BatchRanker.rank} as the
 * in-process {@link io.adahit.eval.harness.LocalScorer} does: scores agree within 1e-6 (float
 * rounding of different batch paddings) and the metrics are the same ({@code RemoteEvalTest}). A
 * call an overloaded server refuses ({@code RESOURCE_EXHAUSTED}: its Rank queue is full) is retried
 * with exponential back-off (capped at {@value #MAX_BACKOFF_MILLIS} ms) until the call's deadline,
 * and each call's first refusal lowers the calls kept in flight by one (to no fewer than one), so
 * that {@code -bs} above what the server queues settles at what it accepts; any other failure stops
 * the run with a message saying what to do ({@link RemoteErrors}). For a router skill, each result
 * names the skill the server routed to.
 *
 * <pre>{@code
 * try (RemoteModel server = RemoteModel.connect("127.0.0.1:50051", "convai2", 32, Duration.ofMinutes(2))) {
 *   Report r = new Evaluator(server.scorer(null, null), 32, false)
 *       .evaluate(examples, CandidateMode.INLINE, List.of(), n -> {}, null);
 * }
 * }</pre>
 */
public final class RemoteScorer implements Scorer {

  private static final long BACKOFF_MILLIS = 200;
  private static final long MAX_BACKOFF_MILLIS = 3200;

  private final String target;
  private final Channel channel;
  private final DialogueServiceGrpc.DialogueServiceStub stub;
  private final String skill;
  private final List<String> routerSkills;
  private final int maxInFlight;
  private final Duration deadline;
  private volatile Window lastWindow;

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
    Window window = new Window(maxInFlight);
    lastWindow = window;
    AtomicReference<Failure> failure = new AtomicReference<>();
    List<CompletableFuture<?>> calls = new ArrayList<>(examples.size());
    try {
      for (int i = 0; i < examples.size() && failure.get() == null; i++) {
        window.permits.acquire();
        int idx = i;
        RankRequest request =
            RankRequest.newBuilder()
                .setContext(examples.get(i).context())
                .addAllCandidates(candidates.get(i))
                .setSkill(skill)
                .build();
        calls.add(
            call(request, 0, System.nanoTime() + deadline.toNanos(), window)
                .whenComplete(
                    (response, error) -> {
                      try {
                        if (error != null) {
                          failure.compareAndSet(null, new Failure(idx, error));
                        } else {
                          out[idx] =
                              scored(
                                  response, candidates.get(idx).size(), examples.get(idx).name());
                          synchronized (progress) {
                            progress.advance(1 + candidates.get(idx).size());
                          }
                        }
                      } catch (IOException | RuntimeException e) {
                        failure.compareAndSet(null, new Failure(idx, e));
                      } finally {
                        window.done();
                      }
                    }));
      }
      for (CompletableFuture<?> c : calls) { // every call has finished
        try {
          c.get();
        } catch (ExecutionException e) {
          // recorded in failure
        }
      }
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
          window.limit());
    }
    return List.of(out);
  }

  /** Calls the last {@link #score} kept in flight at its end ({@code -bs} before any call). */
  int inFlightLimit() {
    Window w = lastWindow;
    return w == null ? maxInFlight : w.limit();
  }

  /**
   * The calls kept in flight: {@code -bs} at first, one fewer for each call the server refused as
   * overloaded at its first attempt (never fewer than one). A lowered limit is taken up by the next
   * calls to finish, which then give no permit back.
   */
  static final class Window {
    final Semaphore permits;
    private int limit;
    private int owed; // permits to keep back as calls finish

    Window(int limit) {
      this.permits = new Semaphore(limit);
      this.limit = limit;
    }

    synchronized void refused() {
      if (limit > 1) {
        limit--;
        owed++;
      }
    }

    synchronized void done() {
      if (owed > 0) {
        owed--;
      } else {
        permits.release();
      }
    }

    synchronized int limit() {
      return limit;
    }
  }

  /**
   * One Rank call, retried with back-off while the server answers RESOURCE_EXHAUSTED and {@code
   * giveUpAt} (System.nanoTime) has not passed.
   */
  private CompletableFuture<RankResponse> call(
      RankRequest request, int attempt, long giveUpAt, Window window) {
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
          if (Status.fromThrowable(e).getCode() != Status.Code.RESOURCE_EXHAUSTED) {
            return CompletableFuture.failedFuture(e);
          }
          if (attempt == 0) {
            window.refused();
          }
          long backoff = Math.min(MAX_BACKOFF_MILLIS, BACKOFF_MILLIS << Math.min(attempt, 10));
          if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff) - giveUpAt > 0) {
            return CompletableFuture.failedFuture(e);
          }
          return CompletableFuture.supplyAsync(
                  () -> attempt, CompletableFuture.delayedExecutor(backoff, TimeUnit.MILLISECONDS))
              .thenCompose(a -> call(request, a + 1, giveUpAt, window));
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
