package io.adahit.server.grpc;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one unary call for its client going away. When the client cancels the call or its
 * deadline passes, the call's queued work is cancelled (a queued turn or Rank job then costs
 * nothing) and the call is counted once in {@code adahit.grpc.cancelled} {method, reason = deadline
 * (less than 1 s of the call's deadline was left) | cancelled} and logged in one line at debug
 * level: that is normal, not an error. A reply or error for a call nobody waits for any more is
 * dropped ({@link #gone}).
 *
 * <pre>{@code
 * CallWatch.start(out, "Act", f, registry)   // on the handler's thread
 *     .answer(f, out, r -> ActResponse.newBuilder()...build());
 * }</pre>
 */
final class CallWatch {

  private static final Logger LOG = LoggerFactory.getLogger(CallWatch.class);

  /**
   * A client's deadline reaches the server as a plain cancellation, a little before the server's
   * copy of that deadline expires: a cancellation with less than this left of it counts as
   * "deadline".
   */
  private static final long DEADLINE_SLACK_MILLIS = 1000;

  private final String method;
  private final Context call;
  private final ServerCallStreamObserver<?> observer;
  private final MeterRegistry registry;
  private final AtomicBoolean counted = new AtomicBoolean();

  private CallWatch(
      String method, Context call, ServerCallStreamObserver<?> observer, MeterRegistry registry) {
    this.method = method;
    this.call = call;
    this.observer = observer;
    this.registry = registry;
  }

  /**
   * Starts watching the current call; call it on the handler's thread, before it returns.
   *
   * @param work cancelled when the client goes away, or null to let it finish (feedback is still
   *     stored)
   */
  static CallWatch start(
      StreamObserver<?> out, String method, CompletableFuture<?> work, MeterRegistry registry) {
    ServerCallStreamObserver<?> observer = out instanceof ServerCallStreamObserver<?> s ? s : null;
    CallWatch watch = new CallWatch(method, Context.current(), observer, registry);
    if (observer != null) {
      Runnable onCancel =
          () -> {
            watch.count();
            if (work != null) {
              work.cancel(false);
            }
          };
      observer.setOnCancelHandler(onCancel);
      if (observer.isCancelled()) { // cancelled before the handler was set: it will not run
        onCancel.run();
      }
    }
    return watch;
  }

  /**
   * Answers the call when {@code result} completes: with nothing if the client is {@link #gone},
   * with the error's status if it failed, else with the one response {@code respond} makes of it.
   */
  <T, R> void answer(CompletableFuture<T> result, StreamObserver<R> out, Function<T, R> respond) {
    result.whenComplete(
        (r, e) -> {
          if (gone()) {
            return;
          }
          if (e != null) {
            out.onError(GrpcErrors.toStatus(e));
            return;
          }
          out.onNext(respond.apply(r));
          out.onCompleted();
        });
  }

  /** True (and counted, once) if the client cancelled the call or its deadline passed. */
  boolean gone() {
    boolean gone = call.isCancelled() || (observer != null && observer.isCancelled());
    if (gone) {
      count();
    }
    return gone;
  }

  private void count() {
    if (!counted.compareAndSet(false, true)) {
      return;
    }
    Deadline deadline = call.getDeadline();
    String reason =
        deadline != null && deadline.timeRemaining(TimeUnit.MILLISECONDS) < DEADLINE_SLACK_MILLIS
            ? "deadline"
            : "cancelled";
    Counter.builder("adahit.grpc.cancelled")
        .description("gRPC calls their client cancelled or let expire")
        .tags("method", method, "reason", reason)
        .register(registry)
        .increment();
    LOG.debug("gRPC {} call ended by its client ({})", method, reason);
  }
}
