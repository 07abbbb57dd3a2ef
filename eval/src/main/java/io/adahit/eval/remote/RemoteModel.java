package io.adahit.eval.remote;

import io.adahit.agents.adapters.LengthOverrides;
import io.adahit.agents.adapters.TextLengths;
import io.adahit.agents.ranker.RankerOptions;
import io.adahit.eval.harness.Contamination;
import io.adahit.eval.harness.EvalTarget;
import io.adahit.eval.harness.Scorer;
import io.adahit.proto.v1.DialogueServiceGrpc;
import io.adahit.proto.v1.ListSkillsRequest;
import io.adahit.proto.v1.ListSkillsResponse;
import io.adahit.proto.v1.SkillInfo;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A live server as what an evaluation ranks with ({@code eval_model --server HOST:PORT --skill
 * NAME}): connecting asks the server's skills with {@code ListSkills}, so an unreachable server or
 * an unknown skill fails before any example is sent, with a message listing the server's skills.
 * Its scorer is a {@link RemoteScorer}. The server's adapters and their training files are not
 * visible from here, so no contamination verdict is given; the report's {@code opt} records the
 * server, the skill and what the server says about it.
 *
 * <pre>{@code
 * try (RemoteModel server = RemoteModel.connect("127.0.0.1:50051", "convai2", 32, Duration.ofMinutes(2))) {
 *   server.describe();   // {server=127.0.0.1:50051, skill=convai2, server_skill_kind=hierarchical, ...}
 * }
 * }</pre>
 */
public final class RemoteModel implements EvalTarget {

  private static final Pattern HOST_PORT =
      Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+):(\\d{1,5})");
  private static final String ROUTER_KIND = "router";

  private final String target;
  private final ManagedChannel channel;
  private final ListSkillsResponse skills;
  private final SkillInfo skill;
  private final RemoteScorer scorer;
  private final int maxInFlight;
  private final Duration deadline;

  private RemoteModel(
      String target,
      ManagedChannel channel,
      ListSkillsResponse skills,
      SkillInfo skill,
      int maxInFlight,
      Duration deadline) {
    this.target = target;
    this.channel = channel;
    this.skills = skills;
    this.skill = skill;
    this.maxInFlight = maxInFlight;
    this.deadline = deadline;
    this.scorer =
        new RemoteScorer(target, channel, skill.getName(), routerSkills(), maxInFlight, deadline);
  }

  /**
   * Connects to {@code target} and checks that it serves {@code skill}.
   *
   * @param skill the server's skill; null or blank for its default skill
   * @param maxInFlight Rank calls kept in flight at once
   * @param deadline per call
   * @throws IllegalArgumentException if {@code target} is not HOST:PORT
   * @throws IOException if the server is unreachable or has no such skill
   */
  public static RemoteModel connect(String target, String skill, int maxInFlight, Duration deadline)
      throws IOException {
    checkTarget(target);
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException(
          "--server-deadline must be > 0 seconds, found " + deadline.toSeconds());
    }
    ManagedChannel channel =
        Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build();
    try {
      ListSkillsResponse skills;
      try {
        skills =
            DialogueServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(RemoteErrors.LIST_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .listSkills(ListSkillsRequest.getDefaultInstance());
      } catch (StatusRuntimeException e) {
        throw RemoteErrors.connectFailed(target, e);
      }
      String name = skill == null || skill.isBlank() ? skills.getDefaultSkill() : skill;
      SkillInfo info =
          skills.getSkillsList().stream()
              .filter(s -> s.getName().equals(name))
              .findFirst()
              .orElseThrow(() -> RemoteErrors.unknownSkill(target, name, skills));
      return new RemoteModel(target, channel, skills, info, maxInFlight, deadline);
    } catch (IOException | RuntimeException e) {
      channel.shutdownNow();
      throw e;
    }
  }

  /**
   * @throws IllegalArgumentException unless {@code target} is HOST:PORT with a port in 1..65535
   */
  static void checkTarget(String target) {
    Matcher m = HOST_PORT.matcher(target == null ? "" : target);
    if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65535) {
      throw new IllegalArgumentException(
          "--server must be HOST:PORT (the server's gRPC port, e.g. 127.0.0.1:50051),"
              + " found '"
              + target
              + "'");
    }
  }

  /**
   * For a router skill, the skills it may answer with: those ListSkills names in {@code routes_to},
   * or, from a server that does not fill it, all the server's other skills; empty for a plain
   * skill.
   */
  private List<String> routerSkills() {
    if (!ROUTER_KIND.equals(skill.getKind())) {
      return List.of();
    }
    if (skill.getRoutesToCount() > 0) {
      return List.copyOf(skill.getRoutesToList());
    }
    return skills.getSkillsList().stream()
        .filter(s -> !ROUTER_KIND.equals(s.getKind()))
        .map(SkillInfo::getName)
        .toList();
  }

  /**
   * The server's scorer: it ranks each skill at the lengths it serves it at; {@code overrides} must
   * be none (the eval_model command refuses them with --server).
   */
  @Override
  public Scorer scorerFor(LengthOverrides overrides, Path cacheDir) {
    if (overrides.any()) {
      throw new IllegalArgumentException(
          "--text-truncate and --label-truncate cannot be changed with --server");
    }
    return scorer;
  }

  /**
   * The lengths the server says (ListSkills) it ranks each skill involved at: the skill, or a
   * router's skills; a server that does not report lengths gives none.
   */
  @Override
  public Map<String, TextLengths> lengths(LengthOverrides overrides) {
    Map<String, TextLengths> out = new LinkedHashMap<>();
    List<String> names = routerSkills().isEmpty() ? List.of(skill.getName()) : routerSkills();
    for (SkillInfo s : skills.getSkillsList()) {
      if (names.contains(s.getName())
          && s.getTextTruncate() >= TextLengths.MIN
          && s.getLabelTruncate() >= TextLengths.MIN) {
        out.put(
            s.getName(),
            new TextLengths(s.getTextTruncate(), s.getLabelTruncate(), TextLengths.Origin.SERVER));
      }
    }
    return out;
  }

  /** The server's scorer; {@code options} and {@code cacheDir} are the server's business. */
  @Override
  public RemoteScorer scorer(RankerOptions options, Path cacheDir) {
    return scorer;
  }

  @Override
  public List<Contamination.TrainingSource> trainingFiles() {
    return List.of();
  }

  @Override
  public boolean checksContamination() {
    return false;
  }

  @Override
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("server", target);
    m.put("skill", skill.getName());
    m.put("server_skill_kind", skill.getKind());
    m.put("server_skill_parameters", skill.getParameterCount());
    m.put("server_skills", skills.getSkillsList().stream().map(SkillInfo::getName).toList());
    if (!routerSkills().isEmpty()) {
      m.put("router_skills", routerSkills());
      if (skill.getTextTruncate() > 0) {
        m.put("router_text_truncate", skill.getTextTruncate());
      }
    }
    m.put("server_max_in_flight", maxInFlight);
    m.put("server_deadline_s", deadline.toSeconds());
    m.put(
        "contamination_check",
        "not done: the server's adapters and their training files are not visible to the client");
    return m;
  }

  @Override
  public String agentId() {
    return "server:" + target + "/" + skill.getName();
  }

  @Override
  public String label() {
    return skill.getName() + " on server " + target;
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
