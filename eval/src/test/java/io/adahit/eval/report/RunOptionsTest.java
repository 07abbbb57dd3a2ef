package io.adahit.eval.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.agents.ToolVersion;
import io.adahit.eval.teachers.Datatype;
import io.adahit.eval.teachers.SharedData;
import io.adahit.eval.teachers.Teacher;
import io.adahit.eval.teachers.TeacherOptions;
import io.adahit.eval.teachers.TeacherRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run's opt records each evaluated data file's SHA-256 and this tool's version. */
class RunOptionsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The project version as eval/pom.xml names its parent's. */
  private static String pomVersion() throws Exception {
    String pom = Files.readString(Path.of("pom.xml")); // tests run in the eval module's folder
    Matcher m =
        Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL).matcher(pom);
    assertThat(m.find()).as("parent version in eval/pom.xml").isTrue();
    return m.group(1).strip();
  }

  @Test
  void theOptHasTheDataFilesSha256AndTheToolVersion(@TempDir Path dir) throws Exception {
    Teacher t =
        TeacherRegistry.builtIn()
            .create("convai2", TeacherOptions.of(SharedData.dir(), Datatype.VALID));
    RunOptions opt =
        new RunOptions(
            null,
            null,
            null,
            RunOptions.MODEL,
            null,
            null,
            null,
            null,
            Map.of("convai2", RunOptions.TeacherInfo.of(t, t.candidateSource())),
            ToolVersion.version(),
            null);
    String expected =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(t.dataFile())));

    Path file = dir.resolve("r.json");
    RunResults empty = TestReports.flatReportOf("convai2");
    new ReportWriter(JSON).write(file, opt, empty);
    JsonNode written = JSON.readTree(file.toFile()).get("opt");

    assertThat(written.at("/teachers/convai2/sha256").asText()).isEqualTo(expected);
    assertThat(written.at("/teachers/convai2/data_file").asText())
        .isEqualTo(t.dataFile().toString());
    assertThat(written.get("adahit_version").asText()).isEqualTo(pomVersion()).isNotEqualTo("dev");
    RunOptions back = ReportFile.read(JSON, file).opt();
    assertThat(back.teachers().get("convai2").sha256()).isEqualTo(expected);
    assertThat(back.version()).isEqualTo(pomVersion());
  }
}
