package io.adahit.server.events;

import java.io.PrintStream;
import java.time.Clock;
import java.util.concurrent.Semaphore;

/**
 * The child process of {@link KillDurabilityTest}: writes feedback events into the store at {@code
 * args[0]} without end (up to 64 in flight), printing {@code ACK <id>} for each as soon as its
 * future completes, i.e. once the store has committed it. Killed with SIGKILL by the parent.
 */
public final class EventWriterMain {

  private EventWriterMain() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, "UTF-8");
    EventStore store =
        EventStore.open(new EventDatabase(args[0], null, null), "child", Clock.systemUTC());
    out.println("READY");
    Semaphore inFlight = new Semaphore(64);
    for (long i = 0; ; i++) {
      inFlight.acquire();
      store
          .recordFeedback(
              new FeedbackRecord(
                  "c" + i,
                  "kill",
                  i % 2 == 0 ? "a" : "b",
                  "s",
                  0,
                  null,
                  1 + (int) (i % 5),
                  i % 3 == 0))
          .whenComplete(
              (id, e) -> {
                inFlight.release();
                if (e == null) {
                  synchronized (out) {
                    out.println("ACK " + id);
                  }
                }
              });
    }
  }
}
