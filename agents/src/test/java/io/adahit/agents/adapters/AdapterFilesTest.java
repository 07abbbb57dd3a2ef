package io.adahit.agents.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.FloatTensor;
import io.adahit.agents.backbone.Safetensors;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Adapter directories: names, atomic writes, and every way a directory is refused on load. */
class AdapterFilesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DOWN0 =
      "encoder.layer.5.attention.output.adapters.bst.adapter_down.0.weight";

  private static Backbone backbone;

  @TempDir Path tmp;

  @BeforeAll
  static void load() throws Exception {
    backbone = Backbone.loadDefault();
  }

  @AfterAll
  static void close() {
    backbone.close();
  }

  private static AdapterConfig small(String skill) {
    return AdapterConfig.houlsby(skill, 6).withBottleneck(8).withTopLayers(1);
  }

  private Path saved(String skill, long seed) throws IOException {
    try (AdapterSet set = AdapterSet.create(backbone, small(skill), AdapterInit.seeded(seed))) {
      Path dir = tmp.resolve(skill + "-" + seed);
      AdapterFiles.save(set, dir, Provenance.pending());
      return dir;
    }
  }

  @Test
  void aSavedDirectoryUsesAdapterHubNamesAndLeavesNoTemporaryFiles() throws Exception {
    Path dir = saved("bst", 1);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("adapter_config.json", "adapter.safetensors");
    }
    Safetensors.Contents c = Safetensors.read(dir.resolve("adapter.safetensors"));
    assertThat(c.tensors().keySet())
        .containsExactly(
            DOWN0,
            "encoder.layer.5.attention.output.adapters.bst.adapter_down.0.bias",
            "encoder.layer.5.attention.output.adapters.bst.adapter_up.weight",
            "encoder.layer.5.attention.output.adapters.bst.adapter_up.bias",
            "encoder.layer.5.output.adapters.bst.adapter_down.0.weight",
            "encoder.layer.5.output.adapters.bst.adapter_down.0.bias",
            "encoder.layer.5.output.adapters.bst.adapter_up.weight",
            "encoder.layer.5.output.adapters.bst.adapter_up.bias");
    assertThat(c.tensors().get(DOWN0).shape()).containsExactly(8, 384);
    assertThat(c.metadata()).containsEntry("skill", "bst").containsEntry("kind", "bottleneck");
    ObjectNode json = (ObjectNode) JSON.readTree(dir.resolve("adapter_config.json").toFile());
    assertThat(json.path("config").path("kind").asText()).isEqualTo("bottleneck");
    assertThat(json.path("config").path("activation").asText()).isEqualTo("relu");
    assertThat(json.path("backbone").path("fingerprint").asText())
        .isEqualTo(backbone.fingerprint());
    assertThat(json.path("parameter_count").asLong()).isEqualTo(2 * (2L * 384 * 8 + 384 + 8));
    assertThat(json.path("provenance").has("valid_hits_at_1")).isTrue();
    assertThat(json.has("base")).isTrue();
  }

  @Test
  void aTruncatedWeightsFileIsRefusedNamingTheFileAndTensor() throws Exception {
    Path dir = saved("bst", 1);
    Path weights = dir.resolve("adapter.safetensors");
    try (FileChannel ch = FileChannel.open(weights, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 100);
    }
    assertThatThrownBy(() -> AdapterFiles.load(dir, backbone, null))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(weights.toString())
        .hasMessageContaining("tensor 'encoder.layer.5.output.adapters.bst.adapter_up.bias'")
        .hasMessageContaining("truncated");
  }

  @Test
  void aTensorOfTheWrongShapeIsRefused() throws Exception {
    Path dir = saved("bst", 1);
    editJson(dir, j -> ((ObjectNode) j.path("config")).put("bottleneck", 16));
    assertThatThrownBy(() -> AdapterFiles.load(dir, backbone, null))
        .isInstanceOf(IOException.class)
        .hasMessage(
            dir.resolve("adapter.safetensors")
                + ": tensor '"
                + DOWN0
                + "' has shape [8, 384], expected [16, 384]");
  }

  @Test
  void missingAndUnexpectedTensorsAreRefused() throws Exception {
    Path dir = saved("bst", 1);
    Path weights = dir.resolve("adapter.safetensors");
    Map<String, FloatTensor> tensors = new LinkedHashMap<>(Safetensors.read(weights).tensors());
    FloatTensor removed = tensors.remove(DOWN0);
    Safetensors.write(weights, tensors.values(), Map.of());
    assertThatThrownBy(() -> AdapterFiles.load(dir, backbone, null))
        .hasMessage(weights + ": tensor '" + DOWN0 + "' is missing (expected shape [8, 384])");
    tensors.put(DOWN0, removed);
    tensors.put(
        "heads.bst.0.weight", new FloatTensor("heads.bst.0.weight", new long[] {1}, new float[1]));
    Safetensors.write(weights, tensors.values(), Map.of());
    assertThatThrownBy(() -> AdapterFiles.load(dir, backbone, null))
        .hasMessage(
            weights
                + ": unexpected tensor 'heads.bst.0.weight' (not part of this adapter's config)");
  }

  @Test
  void nonFiniteWeightsAreRefused() throws Exception {
    Path dir = saved("bst", 1);
    Path weights = dir.resolve("adapter.safetensors");
    Map<String, FloatTensor> tensors = new LinkedHashMap<>(Safetensors.read(weights).tensors());
    float[] v = tensors.get(DOWN0).data();
    v[3] = Float.NaN;
    Safetensors.write(weights, tensors.values(), Map.of());
    assertThatThrownBy(() -> AdapterFiles.load(dir, backbone, null))
        .hasMessage(
            weights + ": tensor '" + DOWN0 + "' must hold finite values, found NaN at index 3");
  }

  @Test
  void anUnknownKindIsRefusedListingTheKnownOnes() throws Exception {
    Path dir = saved("bst", 1);
    editJson(dir, j -> ((ObjectNode) j.path("config")).put("kind", "lora"));
    assertThatThrownBy(() -> AdapterFiles.load(dir, backbone, null))
        .isInstanceOf(IOException.class)
        .hasMessage(
            dir.resolve("adapter_config.json")
                + ": field 'config.kind' must be one of [bottleneck, hierarchical, linear_head, fusion], found \"lora\"");
  }

  @Test
  void badOrMissingFieldsAreRefusedNamingTheField() throws Exception {
    Path dir = saved("bst", 1);
    Path config = dir.resolve("adapter_config.json");
    editJson(dir, j -> ((ObjectNode) j.path("config")).put("bottleneck", 0));
    assertThatThrownBy(() -> AdapterFiles.readManifest(dir))
        .hasMessage(config + ": adapter 'bst': bottleneck must be >= 1, found 0");
    editJson(dir, j -> ((ObjectNode) j.path("config")).remove("bottleneck"));
    assertThatThrownBy(() -> AdapterFiles.readManifest(dir))
        .hasMessage(config + ": field 'config.bottleneck' is required, found none");
    editJson(dir, j -> ((ObjectNode) j.path("config")).put("bottleneck", 8).put("colour", "red"));
    assertThatThrownBy(() -> AdapterFiles.readManifest(dir))
        .hasMessageStartingWith(config + ": field 'config.colour': Unrecognized field \"colour\"");
    Files.writeString(config, "{\"format_version\": 1, ", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> AdapterFiles.readManifest(dir))
        .hasMessageStartingWith(config + ": not valid JSON");
    Files.delete(config);
    assertThatThrownBy(() -> AdapterFiles.readManifest(dir))
        .isInstanceOf(java.nio.file.NoSuchFileException.class)
        .hasMessageContaining(config.toString());
  }

  @Test
  void aNewerFormatVersionIsRefused() throws Exception {
    Path dir = saved("bst", 1);
    editJson(dir, j -> j.put("format_version", 2));
    assertThatThrownBy(() -> AdapterFiles.load(dir, backbone, null))
        .hasMessage(dir.resolve("adapter_config.json") + ": format_version must be 1, found 2");
  }

  @Test
  void anAdapterTrainedOnAnotherBackboneIsRefused() throws Exception {
    Path dir = saved("bst", 1);
    String other = "sha256:" + "ab".repeat(32);
    editJson(
        dir,
        j -> ((ObjectNode) j.path("backbone")).put("fingerprint", other).put("name", "other-bert"));
    assertThatThrownBy(() -> AdapterFiles.load(dir, backbone, null))
        .isInstanceOf(IOException.class)
        .hasMessage(
            dir.resolve("adapter_config.json")
                + ": adapter 'bst' was trained on backbone 'other-bert'"
                + " with fingerprint "
                + other
                + ", but this backbone 'all-MiniLM-L6-v2' has "
                + backbone.fingerprint());
  }

  @Test
  void weightsFromAnotherSaveAreRefused() throws Exception {
    Path one = saved("bst", 1);
    Path two = saved("bst", 2);
    Files.copy(
        two.resolve("adapter.safetensors"),
        one.resolve("adapter.safetensors"),
        StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> AdapterFiles.load(one, backbone, null))
        .hasMessageStartingWith(
            one.resolve("adapter.safetensors") + ": weights fingerprint is sha256:")
        .hasMessageContaining("(the two files come from different saves)");
  }

  @Test
  void anAdapterTrainedOnAnotherBaseIsRefused() throws Exception {
    try (AdapterSet base1 = AdapterSet.create(backbone, small("base"), AdapterInit.seeded(1));
        AdapterSet base2 = AdapterSet.create(backbone, small("base"), AdapterInit.seeded(2));
        AdapterSet other = AdapterSet.create(backbone, small("other"), AdapterInit.seeded(1))) {
      base1.setTrainable(false);
      base2.setTrainable(false);
      other.setTrainable(false);
      Path dir = tmp.resolve("hit");
      try (AdapterSet hit =
          AdapterSet.create(
              backbone,
              AdapterConfig.hierarchical("hit", base1.config(), 4, 2),
              AdapterInit.seeded(3),
              base1)) {
        AdapterManifest m = AdapterFiles.save(hit, dir, Provenance.pending());
        assertThat(m.base())
            .isEqualTo(new AdapterManifest.BaseRef("base", base1.weightsFingerprint()));
      }
      Path config = dir.resolve("adapter_config.json");
      assertThatThrownBy(() -> AdapterFiles.load(dir, backbone, base2))
          .hasMessage(
              config
                  + ": adapter 'hit' was trained on base adapter 'base' with fingerprint "
                  + base1.weightsFingerprint()
                  + ", but the base given has "
                  + base2.weightsFingerprint());
      assertThatThrownBy(() -> AdapterFiles.load(dir, backbone, other))
          .hasMessage(config + ": adapter 'hit' stacks on base adapter 'base', found 'other'");
      assertThatThrownBy(() -> AdapterFiles.load(dir, backbone, null))
          .hasMessage(
              config
                  + ": adapter 'hit' stacks on base adapter 'base' ("
                  + base1.weightsFingerprint()
                  + "), found none given");
      try (AdapterSet loaded = AdapterFiles.load(dir, backbone, base1)) {
        assertThat(loaded.base()).containsSame(base1);
      }
    }
  }

  @Test
  void provenanceCanBeFilledInAfterSavingAndTrainingFilesAreHashed() throws Exception {
    Path data = tmp.resolve("train.txt");
    Files.writeString(data, "abc", StandardCharsets.US_ASCII);
    Provenance.TrainingFile f = Provenance.TrainingFile.of(data);
    assertThat(f.sha256())
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    Path dir = saved("bst", 1);
    AdapterManifest m = AdapterFiles.readManifest(dir);
    assertThat(m.provenance()).isEqualTo(Provenance.pending());
    Provenance trained =
        new Provenance(List.of(f), 500L, 7L, 1e-3, null, Map.of("optimizer", "adamax"));
    AdapterFiles.writeManifest(dir, m.withProvenance(trained.withValidHitsAt1(0.75)));
    assertThat(AdapterFiles.readManifest(dir).provenance().validHitsAt1()).isEqualTo(0.75);
    assertThat(AdapterFiles.readManifest(dir).provenance().trainingFiles()).containsExactly(f);
    AdapterFiles.load(dir, backbone, null).close();
  }

  private static void editJson(Path dir, Consumer<ObjectNode> edit) throws IOException {
    Path file = dir.resolve("adapter_config.json");
    ObjectNode json = (ObjectNode) JSON.readTree(file.toFile());
    edit.accept(json);
    JSON.writeValue(file.toFile(), json);
  }
}
