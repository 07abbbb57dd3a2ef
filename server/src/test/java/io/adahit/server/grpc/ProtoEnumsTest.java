package io.adahit.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adahit.agents.adapters.AdapterKind;
import io.adahit.proto.v1.SkillKind;
import io.adahit.proto.v1.Thumbs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The proto enums match the strings the server sends and takes, and the proto's comments list them.
 */
class ProtoEnumsTest {

  /** Every kind Skill#kind can return: none, router, and each adapter kind's file name. */
  private static List<String> serverKinds() {
    List<String> kinds = new ArrayList<>(List.of("none", "router"));
    for (AdapterKind k : AdapterKind.values()) {
      kinds.add(k.fileName());
    }
    return kinds;
  }

  @Test
  void everyKindTheServerReturnsHasItsEnumValueAndBack() {
    for (String kind : serverKinds()) {
      SkillKind e = ProtoEnums.skillKind(kind);
      assertThat(ProtoEnums.kindName(e)).isEqualTo(kind);
    }
    assertThat(SkillKind.values())
        .as("one value per kind, plus UNSPECIFIED and UNRECOGNIZED")
        .hasSize(serverKinds().size() + 2);
    assertThatThrownBy(() -> ProtoEnums.skillKind("houlsby"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'houlsby'");
    assertThatThrownBy(() -> ProtoEnums.skillKind("unspecified"))
        .isInstanceOf(IllegalStateException.class);
  }

  /** The comment above a field in a .proto file: the // lines right before it. */
  private static String commentOf(String proto, String field) {
    Matcher m =
        Pattern.compile("((?:[ \\t]*//[^\\n]*\\n)+)[ \\t]*" + Pattern.quote(field)).matcher(proto);
    assertThat(m.find()).as(field).isTrue();
    return m.group(1);
  }

  @Test
  void theProtoDocumentsExactlyTheKindsTheServerReturns() throws IOException {
    Path dir = Path.of("../proto/src/main/protobuf/adahit/v1");
    String dialogue =
        commentOf(Files.readString(dir.resolve("dialogue.proto")), "string kind = 2;");
    String admin = commentOf(Files.readString(dir.resolve("admin.proto")), "string kind = 3;");
    for (String comment : List.of(dialogue, admin)) {
      List<String> quoted = new ArrayList<>();
      Matcher q = Pattern.compile("\"([a-z_]+)\"").matcher(comment);
      while (q.find()) {
        quoted.add(q.group(1));
      }
      assertThat(quoted).as(comment).containsExactlyInAnyOrderElementsOf(serverKinds());
    }
  }

  @Test
  void thumbsComeFromEitherFieldAndMustAgree() {
    assertThat(ProtoEnums.thumbs("", Thumbs.THUMBS_UNSPECIFIED)).isNull();
    assertThat(ProtoEnums.thumbs("", Thumbs.THUMBS_UP)).isEqualTo("up");
    assertThat(ProtoEnums.thumbs("", Thumbs.THUMBS_DOWN)).isEqualTo("down");
    assertThat(ProtoEnums.thumbs("down", Thumbs.THUMBS_UNSPECIFIED)).isEqualTo("down");
    assertThat(ProtoEnums.thumbs("up", Thumbs.THUMBS_UP)).isEqualTo("up");
    assertThat(ProtoEnums.thumbs("sideways", Thumbs.THUMBS_UNSPECIFIED))
        .as("Feedback refuses it, naming the values")
        .isEqualTo("sideways");
    assertThatThrownBy(() -> ProtoEnums.thumbs("up", Thumbs.THUMBS_DOWN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("disagree");
    assertThatThrownBy(() -> ProtoEnums.thumbs("", Thumbs.UNRECOGNIZED))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
