package io.adahit.agents.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weight loaders: the embedded ONNX file, Hugging Face directories, and every way a file can be
 * bad.
 */
class WeightFilesTest {

  private static BertWeights weights;
  private static byte[] tokenizerJson;

  @TempDir Path tmp;

  @BeforeAll
  static void load() throws Exception {
    weights = Backbone.defaultWeights();
    tokenizerJson = Backbone.resource(Backbone.DEFAULT_TOKENIZER_RESOURCE);
  }

  @Test
  void onnxArtifactYieldsEveryMiniLmParameterUnderBertModelNames() {
    assertThat(weights.tensors()).hasSize(5 + 6 * 16);
    // all-MiniLM-L6-v2 has 22,713,216 parameters with its pooler (384·384 + 384), which mean
    // pooling does not use
    assertThat(weights.parameterCount()).isEqualTo(22_713_216L - (384 * 384 + 384));
    assertThat(weights.get("encoder.layer.5.intermediate.dense.weight").shape())
        .containsExactly(1536, 384);
    assertThat(weights.fingerprint()).startsWith("sha256:").hasSize(7 + 64);
  }

  @Test
  void huggingFaceDirectoryWrittenFromMiniLmGivesTheSameEmbeddings() throws Exception {
    Path dir = tmp.resolve("minilm-hf");
    HuggingFaceDirectory.write(dir, weights, tokenizerJson);
    assertThat(dir.resolve("config.json")).exists();
    BertWeights reread = HuggingFaceDirectory.readWeights(dir);
    assertThat(reread.fingerprint()).isEqualTo(weights.fingerprint());
    List<String> s = SharedData.convai2Sentences(8);
    try (Backbone fromDir = Backbone.load(dir);
        Backbone embedded = Backbone.loadDefault()) {
      assertThat(fromDir.fingerprint()).isEqualTo(embedded.fingerprint());
      assertThat(fromDir.embed(s, EncodeOptions.defaults()))
          .isEqualTo(embedded.embed(s, EncodeOptions.defaults()));
    }
  }

  @Test
  void huggingFaceNamesWithBertPrefixAndGammaBetaAreAccepted() throws Exception {
    Path dir = tmp.resolve("prefixed");
    Files.createDirectories(dir);
    HuggingFaceDirectory.write(dir, weights, tokenizerJson);
    List<FloatTensor> renamed =
        weights.tensors().values().stream()
            .map(
                t ->
                    t.rename(
                        "bert."
                            + t.name()
                                .replace("LayerNorm.weight", "LayerNorm.gamma")
                                .replace("LayerNorm.bias", "LayerNorm.beta")))
            .toList();
    Safetensors.write(dir.resolve("model.safetensors"), renamed, Map.of());
    assertThat(HuggingFaceDirectory.readWeights(dir).fingerprint())
        .isEqualTo(weights.fingerprint());
  }

  @Test
  void missingWeightsFileIsNamed() {
    assertThatThrownBy(
            () -> OnnxWeightsReader.read(tmp.resolve("nope.onnx"), BertConfig.miniLmL6()))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("nope.onnx")
        .hasMessageContaining("not found");
    assertThatThrownBy(() -> Backbone.load(tmp.resolve("missing-dir")))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("missing-dir");
    Path dir = tmp.resolve("no-safetensors");
    assertThatThrownBy(
            () -> {
              HuggingFaceDirectory.write(dir, weights, tokenizerJson);
              Files.delete(dir.resolve("model.safetensors"));
              HuggingFaceDirectory.readWeights(dir);
            })
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("lacks model.safetensors");
  }

  @Test
  void truncatedOnnxFileIsRefused() throws Exception {
    byte[] onnx = Backbone.resource(Backbone.DEFAULT_ONNX_RESOURCE);
    Path cut = tmp.resolve("cut.onnx");
    Files.write(cut, java.util.Arrays.copyOf(onnx, onnx.length / 2));
    assertThatThrownBy(() -> OnnxWeightsReader.read(cut, BertConfig.miniLmL6()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cut.onnx")
        .hasMessageContaining("truncated or corrupt");
    assertThatThrownBy(
            () ->
                OnnxWeightsReader.read(
                    new ByteArrayInputStream("not onnx at all".getBytes()),
                    BertConfig.miniLmL6(),
                    "junk"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("junk");
  }

  @Test
  void truncatedSafetensorsFileIsRefusedNamingTheTensor() throws Exception {
    Path dir = tmp.resolve("truncated");
    HuggingFaceDirectory.write(dir, weights, tokenizerJson);
    Path st = dir.resolve("model.safetensors");
    try (FileChannel ch = FileChannel.open(st, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 1000);
    }
    assertThatThrownBy(() -> HuggingFaceDirectory.readWeights(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("model.safetensors")
        .hasMessageContaining("truncated")
        .hasMessageContaining("encoder.layer.5.output.LayerNorm.bias");
    Files.write(st, new byte[] {1, 2, 3});
    assertThatThrownBy(() -> Safetensors.read(st))
        .hasMessageContaining("shorter than the 8-byte header");
  }

  @Test
  void wrongShapedOrMissingTensorIsRefusedWithItsNameAndShapes() throws Exception {
    Map<String, FloatTensor> bad = new LinkedHashMap<>(weights.tensors());
    bad.put(
        "encoder.layer.0.attention.self.query.weight",
        new FloatTensor(
            "encoder.layer.0.attention.self.query.weight",
            new long[] {384, 383},
            new float[384 * 383]));
    bad.remove("encoder.layer.2.output.dense.bias");
    assertThatThrownBy(() -> new BertWeights(BertConfig.miniLmL6(), bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "tensor 'encoder.layer.0.attention.self.query.weight' must have shape [384, 384], found [384, 383]")
        .hasMessageContaining("tensor 'encoder.layer.2.output.dense.bias' is missing");

    Path dir = tmp.resolve("wrong-shape");
    HuggingFaceDirectory.write(dir, weights, tokenizerJson);
    Safetensors.write(dir.resolve("model.safetensors"), bad.values(), Map.of());
    assertThatThrownBy(() -> Backbone.load(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("must have shape [384, 384], found [384, 383]");
  }

  @Test
  void configForAnotherArchitectureIsRefused() throws Exception {
    Path dir = tmp.resolve("gpt");
    HuggingFaceDirectory.write(dir, weights, tokenizerJson);
    Files.writeString(
        dir.resolve("config.json"), "{\"model_type\": \"gpt2\", \"hidden_size\": 768}");
    assertThatThrownBy(() -> HuggingFaceDirectory.readWeights(dir))
        .hasMessageContaining("model_type must be \"bert\"")
        .hasMessageContaining("gpt2");
    Files.writeString(
        dir.resolve("config.json"), "{\"model_type\": \"bert\", \"hidden_size\": 384}");
    assertThatThrownBy(() -> HuggingFaceDirectory.readWeights(dir))
        .hasMessageContaining("missing integer field \"vocab_size\"");
  }

  @Test
  void safetensorsRoundTripsAndReadsHalfPrecision() throws Exception {
    FloatTensor t =
        new FloatTensor("w", new long[] {2, 3}, new float[] {1, -2, 0.5f, 0, 65504, -0.25f});
    Path f = tmp.resolve("t.safetensors");
    Safetensors.write(f, List.of(t), Map.of("skill", "convai2"));
    Safetensors.Contents c = Safetensors.read(f);
    assertThat(c.tensors().get("w")).isEqualTo(t);
    assertThat(c.metadata()).containsEntry("skill", "convai2");
    assertThat(Safetensors.halfToFloat((short) 0x3c00)).isEqualTo(1.0f);
    assertThat(Safetensors.halfToFloat((short) 0xc000)).isEqualTo(-2.0f);
    assertThat(Safetensors.halfToFloat((short) 0x7bff)).isEqualTo(65504f);
    assertThat(Safetensors.halfToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
    assertThat(Safetensors.halfToFloat((short) 0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
  }
}
