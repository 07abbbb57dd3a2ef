package io.adahit.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.adapters.AdapterManifest;
import io.adahit.eval.teachers.SharedData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code --backbone NAME}: eval_model, encode and train on the embedded bge-small-en-v1.5, the name
 * recorded in the report and the adapter manifest, and an adapter refused on the other backbone.
 */
class BackboneCliTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void bgeIsSelectedByNameRecordedInTheReportAndItsAdaptersStayOnIt(@TempDir Path dir)
      throws Exception {
    String data = SharedData.dir().toString();
    Path report = dir.resolve("bge.json");
    Run eval =
        run(
            "eval_model",
            "-t",
            "convai2",
            "-ne",
            "3",
            "--backbone",
            "bge-small-en-v1.5",
            "--datapath",
            data,
            "--cache-dir",
            dir.resolve("cache").toString(),
            "-rf",
            report.toString());
    assertThat(eval.code()).as(eval.err()).isZero();
    JsonNode opt = JSON.readTree(report.toFile()).get("opt");
    assertThat(opt.get("backbone").asText()).isEqualTo("bge-small-en-v1.5");

    // encode prints to System.out itself (UTF-8), so the test catches that stream
    java.io.PrintStream stdout = System.out;
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    Run enc;
    try {
      System.setOut(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
      enc = run("encode", "--backbone", "BGE-small-en-v1.5", "hello there");
    } finally {
      System.setOut(stdout);
    }
    assertThat(enc.code()).as(enc.err()).isZero();
    assertThat(
            JSON.readTree(bytes.toString(java.nio.charset.StandardCharsets.UTF_8)).get("embedding"))
        .hasSize(384);

    Path out = dir.resolve("convai2-bge");
    Run train =
        run(
            "train",
            "--mode",
            "ada",
            "-t",
            "convai2",
            "--out",
            out.toString(),
            "--backbone",
            "bge-small-en-v1.5",
            "--datapath",
            data,
            "--steps",
            "2",
            "-bs",
            "4",
            "--top-layers",
            "1",
            "--bottleneck",
            "8",
            "--max-train-pairs",
            "16",
            "--valid-pairs",
            "8",
            "--valid-candidates",
            "4",
            "--context-length",
            "32",
            "--reply-length",
            "16",
            "--checkpoint-dir",
            dir.resolve("ckpt").toString(),
            "--layer-cache-dir",
            "none");
    assertThat(train.code()).as(train.err()).isZero();
    AdapterManifest m = AdapterFiles.readManifest(out);
    assertThat(m.backbone().name()).isEqualTo("bge-small-en-v1.5");
    assertThat(m.backbone().fingerprint()).isEqualTo(opt.get("backbone_fingerprint").asText());

    Run onMiniLm =
        run(
            "eval_model",
            "-t",
            "convai2",
            "-ne",
            "3",
            "--adapter",
            out.toString(),
            "--datapath",
            data,
            "--cache-dir",
            dir.resolve("cache").toString());
    assertThat(onMiniLm.code()).isNotZero();
    assertThat(onMiniLm.err())
        .contains("was trained on backbone 'bge-small-en-v1.5'")
        .contains("but this backbone 'all-MiniLM-L6-v2' has");
  }

  @Test
  void anUnknownBackboneIsRefusedListingTheEmbeddedOnes() {
    Run r = run("encode", "--backbone", "bge-base", "hello");
    assertThat(r.code()).isNotZero();
    assertThat(r.err()).contains("bge-base").contains("all-minilm-l6-v2, bge-small-en-v1.5");
    Run ort = run("bench-encoder", "--backbone", "/no/such/model.onnx", "--engine", "both");
    assertThat(ort.code()).isNotZero();
    assertThat(ort.err())
        .contains("--engine both runs ONNX Runtime on an embedded backbone")
        .contains("--engine djl");
  }
}
