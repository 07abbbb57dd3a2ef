package io.adahit.server.grpc;

import io.adahit.proto.v1.SkillKind;
import io.adahit.proto.v1.Thumbs;
import java.util.Locale;

/**
 * The proto enums beside their string fields: {@code SkillInfo.kind_enum} / {@code
 * AdapterInfo.kind_enum} next to {@code kind}, and {@code FeedbackRequest.thumbs_vote} next to
 * {@code thumbs}. The strings stay for existing clients; the server fills both and accepts either.
 *
 * <pre>{@code
 * ProtoEnums.skillKind("bottleneck");                 // SKILL_KIND_BOTTLENECK
 * ProtoEnums.thumbs("", Thumbs.THUMBS_UP);            // "up"
 * }</pre>
 */
public final class ProtoEnums {

  private static final String KIND_PREFIX = "SKILL_KIND_";

  private ProtoEnums() {}

  /**
   * The enum of a skill kind string (Skill#kind: none, router, or an adapter kind's file name).
   *
   * @throws IllegalStateException for a kind the proto has no value for (a kind added without its
   *     enum value: a bug of this server, not the client's)
   */
  public static SkillKind skillKind(String kind) {
    try {
      SkillKind k = SkillKind.valueOf(KIND_PREFIX + kind.toUpperCase(Locale.ROOT));
      if (k != SkillKind.SKILL_KIND_UNSPECIFIED) {
        return k;
      }
    } catch (IllegalArgumentException e) {
      // below
    }
    throw new IllegalStateException(
        "skill kind '" + kind + "' has no SkillKind value in dialogue.proto");
  }

  /** The string of a SkillKind ({@code bottleneck} for SKILL_KIND_BOTTLENECK). */
  public static String kindName(SkillKind kind) {
    return kind.name().substring(KIND_PREFIX.length()).toLowerCase(Locale.ROOT);
  }

  /**
   * The thumbs of a FeedbackRequest as Feedback takes them: "up", "down", or null for none; the
   * string as given when only it is set (Feedback checks it).
   *
   * @throws IllegalArgumentException if the enum is a value this server does not know, or the two
   *     fields disagree
   */
  public static String thumbs(String text, Thumbs vote) {
    String fromEnum =
        switch (vote) {
          case THUMBS_UNSPECIFIED -> null;
          case THUMBS_UP -> "up";
          case THUMBS_DOWN -> "down";
          case UNRECOGNIZED ->
              throw new IllegalArgumentException(
                  "feedback: thumbs_vote must be THUMBS_UP or THUMBS_DOWN,"
                      + " found an unknown value");
        };
    if (text.isEmpty()) {
      return fromEnum;
    }
    if (fromEnum != null && !fromEnum.equals(text)) {
      throw new IllegalArgumentException(
          "feedback: thumbs \""
              + text
              + "\" and thumbs_vote "
              + vote
              + " disagree; set one of them");
    }
    return text;
  }
}
