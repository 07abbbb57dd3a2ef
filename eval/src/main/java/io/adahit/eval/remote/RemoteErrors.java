package io.adahit.eval.remote;

import io.adahit.proto.v1.DialogueServiceGrpc;
import io.adahit.proto.v1.ListSkillsRequest;
import io.adahit.proto.v1.ListSkillsResponse;
import io.adahit.proto.v1.SkillInfo;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * gRPC failures of {@code eval_model --server} turned into messages that say what went wrong and
 * what to do (one line each, as {@code CliErrors} prints them): an unreachable server, an unknown
 * skill (with the server's skills, asked with {@code ListSkills}), a deadline, an overloaded
 * server.
 *
 * <pre>{@code
 * throw RemoteErrors.rankFailed(target, channel, skill, "convai2 valid episode 0 example 1", e, deadline, 32);
 * }</pre>
 */
final class RemoteErrors {

  /** How long the {@code ListSkills} behind a message may take. */
  static final Duration LIST_DEADLINE = Duration.ofSeconds(10);

  private RemoteErrors() {}

  /** The server's skills as {@code [base (default), convai2, auto (router)]}. */
  static String skillList(ListSkillsResponse r) {
    StringBuilder b = new StringBuilder("[");
    for (SkillInfo s : r.getSkillsList()) {
      b.append(b.length() > 1 ? ", " : "").append(s.getName());
      if (s.getName().equals(r.getDefaultSkill())) {
        b.append(" (default)");
      } else if (s.getKind().equals("router")) {
        b.append(" (router)");
      }
    }
    return b.append("]").toString();
  }

  /** The server has no skill {@code skill}. */
  static IOException unknownSkill(String target, String skill, ListSkillsResponse skills) {
    return new IOException(
        "server "
            + target
            + " has no skill '"
            + skill
            + "'; its skills: "
            + skillList(skills)
            + " (--skill names a skill of the server, not of a local skills folder)");
  }

  /** {@code ListSkills} failed while connecting. */
  static IOException connectFailed(String target, StatusRuntimeException e) {
    Status s = e.getStatus();
    if (s.getCode() == Status.Code.UNAVAILABLE || s.getCode() == Status.Code.DEADLINE_EXCEEDED) {
      String why =
          s.getCode() == Status.Code.UNAVAILABLE
                  && s.getDescription() != null
                  && s.getDescription().contains("not ready")
              ? "it is not ready yet (" + s.getDescription() + "); wait until /health says ready"
              : "is `adahit serve` running there, with gRPC on that port (grpc.port, default 50051)?";
      return new IOException(
          "server " + target + " unreachable (" + s.getCode() + ": " + description(s) + "); " + why,
          e);
    }
    return new IOException(
        "server "
            + target
            + ": ListSkills failed ("
            + s.getCode()
            + ": "
            + description(s)
            + "); is this an adahit server?",
        e);
  }

  /**
   * A {@code Rank} call that failed for good.
   *
   * @param example the example's name
   */
  static IOException rankFailed(
      String target,
      Channel channel,
      String skill,
      String example,
      Throwable error,
      Duration deadline,
      int inFlight) {
    if (!(error instanceof StatusRuntimeException sre)) {
      return error instanceof IOException io
          ? io
          : new IOException(
              "server " + target + ": example '" + example + "' failed: " + error, error);
    }
    Status s = sre.getStatus();
    String code = s.getCode() + ": " + description(s);
    String msg =
        switch (s.getCode()) {
          case NOT_FOUND ->
              "server "
                  + target
                  + " does not know skill '"
                  + skill
                  + "' ("
                  + code
                  + "); its skills: "
                  + skillsOrWhy(channel);
          case UNAVAILABLE ->
              "server "
                  + target
                  + " became unreachable at example '"
                  + example
                  + "' ("
                  + code
                  + "); is it still running?";
          case DEADLINE_EXCEEDED ->
              "the Rank call for example '"
                  + example
                  + "' took longer than the deadline of "
                  + deadline.toSeconds()
                  + " s (--server-deadline); raise it, or lower -bs ("
                  + inFlight
                  + " calls in flight) for a slow server";
          case RESOURCE_EXHAUSTED ->
              "server "
                  + target
                  + " stayed overloaded ("
                  + code
                  + ") for the call's deadline of "
                  + deadline.toSeconds()
                  + " s (--server-deadline) with "
                  + inFlight
                  + " Rank calls in flight; raise --server-deadline, lower -bs, or raise the"
                  + " server's rank.queueCapacity";
          case INVALID_ARGUMENT ->
              "server " + target + " refused example '" + example + "' (" + code + ")";
          default ->
              "the Rank call for example '"
                  + example
                  + "' to server "
                  + target
                  + " failed ("
                  + code
                  + ")";
        };
    return new IOException(msg, sre);
  }

  private static String skillsOrWhy(Channel channel) {
    try {
      return skillList(
          DialogueServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(LIST_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
              .listSkills(ListSkillsRequest.getDefaultInstance()));
    } catch (StatusRuntimeException e) {
      return "unknown (ListSkills failed too: " + e.getStatus().getCode() + ")";
    }
  }

  private static String description(Status s) {
    return s.getDescription() == null ? "no detail" : s.getDescription();
  }
}
