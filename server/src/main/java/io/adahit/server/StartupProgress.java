package io.adahit.server;

import io.adahit.server.skills.LoadProgress;

/**
 * Keeps {@link ServerState#progress} up to date while the skills load, for {@code /health}: the
 * pools and candidates done of those {@link LoadProgress#planned planned}. Tasks run one at a time
 * (the catalog encodes pools in turn), on the starting thread.
 */
final class StartupProgress implements LoadProgress {

  static final String ENCODING = "encoding candidate pools";

  private final ServerState state;
  private int poolsTotal;
  private long candidatesTotal;
  private int poolsDone;
  private long candidatesDone;

  StartupProgress(ServerState state) {
    this.state = state;
  }

  /** Names the stage starting is in, before the pools (e.g. "loading the backbone"). */
  void stage(String stage) {
    state.progress(
        new ServerState.Progress(stage, poolsDone, poolsTotal, candidatesDone, candidatesTotal));
  }

  @Override
  public synchronized void planned(int pools, long candidates) {
    poolsTotal = pools;
    candidatesTotal = candidates;
    publish();
  }

  @Override
  public Task start(String name, long total) {
    return new Task() {
      @Override
      public void step(long n) {
        synchronized (StartupProgress.this) {
          candidatesDone += n;
          publish();
        }
      }

      @Override
      public void close() {
        synchronized (StartupProgress.this) {
          poolsDone++;
          publish();
        }
      }
    };
  }

  private void publish() {
    state.progress(
        new ServerState.Progress(ENCODING, poolsDone, poolsTotal, candidatesDone, candidatesTotal));
  }
}
