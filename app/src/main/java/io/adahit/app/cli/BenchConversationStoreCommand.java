package io.adahit.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.server.chat.ConversationState;
import io.adahit.server.chat.SharedConversations;
import io.adahit.server.events.EventDatabase;
import io.adahit.server.experiments.Assignment;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code adahit bench-conversation-store}: what {@code conversations.shared} adds to a gRPC Act
 * turn, measured on a real database: per turn, the read of the conversation's stored state and the
 * write of the new one (version-checked), as {@link SharedConversations} does them, with states the
 * size a turn leaves (a persona, the episode's exchanges with 5 candidates each). Prints the median
 * and p99 of read + write per turn. The rows it writes are removed at the end.
 */
@Command(
    name = "bench-conversation-store",
    mixinStandardHelpOptions = true,
    description = {
      "Measure the per-turn time the shared conversation store (conversations.shared) adds:"
          + " read + version-checked write of a conversation's state, on the given database.",
      "Example: adahit bench-conversation-store --url jdbc:postgresql://127.0.0.1:5432/adahit --user adahit"
    })
public final class BenchConversationStoreCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--url",
      required = true,
      paramLabel = "URL",
      description = "JDBC URL (jdbc:postgresql:... or jdbc:sqlite:...).")
  String url;

  @Option(names = "--user", paramLabel = "USER", description = "Database user.")
  String user;

  @Option(
      names = "--password-env",
      paramLabel = "VAR",
      description = "Environment variable holding the password.")
  String passwordEnv;

  @Option(
      names = {"-n", "--conversations"},
      defaultValue = "64",
      description = "Conversations (default ${DEFAULT-VALUE}).")
  int conversations;

  @Mixin TurnsOption turns;

  @Option(
      names = "--concurrency",
      defaultValue = "8",
      description = "Conversations in flight at once (default ${DEFAULT-VALUE}).")
  int concurrency;

  @Override
  public Integer call() throws Exception {
    if (conversations < 1 || turns.value() < 1 || concurrency < 1) {
      throw new IllegalArgumentException(
          "bench-conversation-store: --conversations, --turns and --concurrency must be >= 1");
    }
    String password = null;
    if (passwordEnv != null && (password = System.getenv(passwordEnv)) == null) {
      throw new IllegalArgumentException(
          "--password-env names " + passwordEnv + ", which is not set in the environment");
    }
    EventDatabase db = new EventDatabase(url, user, password);
    ObjectMapper json = new ObjectMapper();
    List<String> ids = new ArrayList<>();
    long[] nanos = new long[conversations * turns.value()];
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    long began = System.nanoTime();
    try (SharedConversations store =
        SharedConversations.open(db, "bench", json, Clock.systemUTC(), new SimpleMeterRegistry())) {
      List<Future<?>> all = new ArrayList<>();
      for (int k = 0; k < conversations; k++) {
        String id = "bench-" + UUID.randomUUID();
        ids.add(id);
        int slot = k * turns.value();
        all.add(
            pool.submit(
                () -> {
                  long version = 0;
                  for (int t = 0; t < turns.value(); t++) {
                    long t0 = System.nanoTime();
                    version =
                        store.load(id).join().map(SharedConversations.Stored::version).orElse(0L);
                    version = store.save(id, version, state(t + 1)).join();
                    nanos[slot + t] = System.nanoTime() - t0;
                  }
                  return null;
                }));
      }
      for (Future<?> f : all) {
        f.get(30, TimeUnit.MINUTES);
      }
      double seconds = (System.nanoTime() - began) / 1e9;
      for (String id : ids) {
        store.delete(id).join();
      }
      Arrays.sort(nanos);
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "bench-conversation-store: %s, %d conversations x %d turns, %d at once, %d cores%n",
          db.redacted(),
          conversations,
          turns.value(),
          concurrency,
          Runtime.getRuntime().availableProcessors());
      out.printf(
          "read + write per turn: median %.2f ms, p99 %.2f ms, max %.2f ms (%d turns, %.0f turns/s)%n",
          nanos[nanos.length / 2] / 1e6,
          nanos[(int) Math.min(nanos.length - 1, Math.ceil(nanos.length * 0.99) - 1)] / 1e6,
          nanos[nanos.length - 1] / 1e6,
          nanos.length,
          nanos.length / seconds);
      out.flush();
    } finally {
      pool.shutdownNow();
    }
    return 0;
  }

  /** A state of {@code exchanges} exchanges, each about the size a real turn stores. */
  static ConversationState state(int exchanges) {
    List<ConversationState.StoredExchange> x = new ArrayList<>();
    for (int i = 0; i < exchanges; i++) {
      x.add(
          new ConversationState.StoredExchange(
              "user turn " + i + ": i just got back from a hike with my dog, and you?",
              "base",
              "i love hiking too ! i go every weekend with my two cats , believe it or not .",
              List.of(
                  "i love hiking too ! i go every weekend with my two cats , believe it or not .",
                  "that sounds like fun . what kind of dog do you have ?",
                  "i am a teacher , so weekends are my only time off .",
                  "hiking is great exercise . i prefer swimming though .",
                  "do you live near the mountains ?"),
              null,
              null));
    }
    return new ConversationState(
        "base",
        List.of(
            "i have two cats.", "i like to hike.", "i am a teacher.", "my favorite food is pizza."),
        "grpc-act",
        new Assignment("bench", "a", "base"),
        0,
        System.currentTimeMillis(),
        x);
  }
}
