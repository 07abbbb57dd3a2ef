package io.adahit.app.serve;

import io.adahit.agents.backbone.EngineDefaults;
import java.io.IOException;
import picocli.CommandLine;

/**
 * {@code serve} in a JVM of its own, for tests that kill a replica outright ({@link
 * ReplicasBehindHaproxyTest}). Arguments are {@code serve}'s. The process also halts when its
 * standard input reaches end of file, i.e. when the test JVM that started it is gone, so a crashed
 * or timed-out test leaves no server behind.
 */
public final class ReplicaMain {

  private ReplicaMain() {}

  public static void main(String[] args) {
    EngineDefaults
        .applyUnlessSet(); // as the adahit entry point: the child gets the parent's -Dai.djl.* too
    Thread watch =
        new Thread(
            () -> {
              try {
                while (System.in.read() >= 0) {
                  // the parent never writes; wait for end of file
                }
              } catch (IOException e) {
                // the pipe broke: the parent is gone too
              }
              Runtime.getRuntime().halt(3);
            },
            "parent-watch");
    watch.setDaemon(true);
    watch.start();
    System.exit(new CommandLine(new ServeCommand()).execute(args));
  }
}
