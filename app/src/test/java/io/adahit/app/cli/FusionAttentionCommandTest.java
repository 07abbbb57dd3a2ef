package io.adahit.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.adahit.agents.adapters.AdapterConfig;
import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.adapters.AdapterInit;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.adapters.Provenance;
import io.adahit.agents.backbone.Backbone;
import io.adahit.eval.fusion.AttentionPlot;
import io.adahit.eval.teachers.SharedData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code adahit fusion-attention} on a fusion of two skills and a slice of BST's valid split. */
class FusionAttentionCommandTest {

  private static Backbone backbone;
  @TempDir static Path dir;

  @BeforeAll
  static void load() throws Exception {
    backbone = Backbone.loadDefault();
    Path skills = dir.resolve("skills");
    List<AdapterSet> fused = new ArrayList<>();
    for (String name : List.of("convai2", "empathetic_dialogues")) {
      AdapterSet s =
          AdapterSet.create(
              backbone,
              AdapterConfig.houlsby(name, 6).withBottleneck(8).withTopLayers(2),
              new AdapterInit(name.length(), 0.3, 0.3));
      AdapterFiles.save(s, skills.resolve(name), Provenance.pending());
      s.setTrainable(false);
      fused.add(s);
    }
    // a fusion whose query/key are far from zero, so the attention is visibly not uniform
    try (AdapterSet f =
        AdapterSet.fusion(
            backbone,
            AdapterConfig.fusionOf("bst_fusion", fused.stream().map(AdapterSet::config).toList()),
            new AdapterInit(3, 0.5, 0.5),
            fused)) {
      AdapterFiles.save(f, skills.resolve("bst_fusion"), Provenance.pending());
    }
    fused.forEach(AdapterSet::close);
  }

  @AfterAll
  static void close() {
    backbone.close();
  }

  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }

  @Test
  void writesTheTableAndPlotWithEachPointsSharesSummingToOne() throws Exception {
    Path out = dir.resolve("attention");
    String[] r =
        run(
            "fusion-attention",
            "--skill",
            "bst_fusion",
            "--skills-dir",
            dir.resolve("skills").toString(),
            "-t",
            "blended_skill_talk",
            "-ne",
            "12",
            "--datapath",
            SharedData.dir().toString(),
            "--out",
            out.toString());
    assertThat(r[0]).as(r[2]).isEqualTo("0");
    assertThat(r[1])
        .contains(
            "| layer 4 after_attention |", "| layer 5 mean |", "convai2", "empathetic_dialogues");
    List<String> tsv = Files.readAllLines(out.resolve("attention.tsv"));
    assertThat(tsv.get(0)).isEqualTo("layer\tposition\tconvai2\tempathetic_dialogues");
    assertThat(tsv).hasSize(1 + 4 + 2); // 2 layers x 2 positions, then 2 layer means
    boolean uneven = false;
    for (String line : tsv.subList(1, tsv.size())) {
      String[] f = line.split("\t");
      double a = Double.parseDouble(f[2]);
      double b = Double.parseDouble(f[3]);
      assertThat(a + b).isCloseTo(1.0, Offset.offset(2e-4));
      uneven |= Math.abs(a - b) > 0.01;
    }
    assertThat(uneven).as("the attention should not be uniform with this init").isTrue();
    String svg = Files.readString(out.resolve("attention.svg"));
    assertThat(svg)
        .startsWith("<svg")
        .contains("bst_fusion on blended_skill_talk valid (12 contexts")
        .endsWith("</svg>\n");
  }

  @Test
  void aSkillThatIsNotAFusionIsRefusedByName() {
    String[] r =
        run(
            "fusion-attention",
            "--skill",
            "convai2",
            "--skills-dir",
            dir.resolve("skills").toString(),
            "-t",
            "blended_skill_talk",
            "-ne",
            "2",
            "--datapath",
            SharedData.dir().toString(),
            "--out",
            dir.resolve("x").toString());
    assertThat(r[0]).isEqualTo("1");
    assertThat(r[2]).contains("convai2").contains("not fusion");
  }

  @Test
  void barsAreAsWideAsTheSharesAndNamesAreEscaped() {
    Map<String, double[]> rows = new LinkedHashMap<>();
    rows.put("layer 5 mean", new double[] {0.25, 0.75});
    String svg = AttentionPlot.svg("a <b>", List.of("x&y", "z"), rows);
    assertThat(svg)
        .contains("a &lt;b&gt;", "x&amp;y: 0.2500", "width=\"130.0\"", "width=\"390.0\"");
    assertThat(AttentionPlot.markdown(List.of("x", "z"), rows))
        .contains("| layer 5 mean | 0.250 | 0.750 |");
  }
}
