package io.adahit.server;

import io.adahit.server.chat.ChatService;
import java.util.Optional;

/**
 * What the transports need to know about the server's life: whether it is ready (backbone and
 * skills loaded) and, once it is, the {@link ChatService}. The listeners start before the model
 * loads, so {@code /health} can say "starting" and orchestrators wait for "ready".
 */
public final class ServerState {

  /** Where the server is in its life. */
  public enum Phase {
    STARTING,
    READY,
    STOPPING,
    FAILED
  }

  /**
   * How far starting has come: its stage, and the candidate pools (and their candidates) encoded or
   * read from the cache so far, of how many in all (0 of 0 before the skills are counted).
   */
  public record Progress(
      String stage, int poolsDone, int poolsTotal, long candidatesDone, long candidatesTotal) {}

  private volatile Phase phase = Phase.STARTING;
  private volatile Progress progress = new Progress("loading the backbone", 0, 0, 0, 0);
  private volatile ChatService chat;
  private volatile String detail = "loading backbone and skills";

  public Phase phase() {
    return phase;
  }

  public String detail() {
    return detail;
  }

  /** Starting's progress; present only while starting. */
  public Optional<Progress> progress() {
    return phase == Phase.STARTING ? Optional.of(progress) : Optional.empty();
  }

  public void progress(Progress p) {
    this.progress = p;
    this.detail =
        p.poolsTotal() == 0
            ? p.stage()
            : p.stage() + " (" + p.poolsDone() + " of " + p.poolsTotal() + " pools)";
  }

  public boolean ready() {
    return phase == Phase.READY;
  }

  /** The chat service, present once ready (and while stopping). */
  public Optional<ChatService> chat() {
    return Optional.ofNullable(chat);
  }

  public void ready(ChatService service) {
    this.chat = service;
    this.detail = "serving skills " + service.skills().names();
    this.phase = Phase.READY;
  }

  public void stopping() {
    this.phase = Phase.STOPPING;
    this.detail = "shutting down";
  }

  public void failed(String why) {
    this.phase = Phase.FAILED;
    this.detail = why;
  }
}
