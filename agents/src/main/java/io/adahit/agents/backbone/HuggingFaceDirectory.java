package io.adahit.agents.backbone;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Hugging Face model directory for BERT-family backbones: {@code config.json}, {@code
 * model.safetensors} and {@code tokenizer.json}. Lets users bring a larger encoder than the
 * embedded MiniLM, and exports the embedded one in that layout.
 *
 * <pre>{@code
 * BertWeights w = HuggingFaceDirectory.readWeights(Path.of("models/bert-base"));
 * }</pre>
 */
public final class HuggingFaceDirectory {

  public static final String CONFIG = "config.json";
  public static final String WEIGHTS = "model.safetensors";
  public static final String TOKENIZER = "tokenizer.json";

  private HuggingFaceDirectory() {}

  /** Reads config.json and model.safetensors, checking every tensor against the config. */
  public static BertWeights readWeights(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "backbone directory not found");
    }
    BertConfig config = BertConfig.fromJson(require(dir, CONFIG));
    Safetensors.Contents contents = Safetensors.read(require(dir, WEIGHTS));
    Map<String, FloatTensor> byName = new LinkedHashMap<>();
    contents.tensors().forEach((name, t) -> byName.put(BertWeights.canonicalName(name), t));
    try {
      return new BertWeights(config, byName);
    } catch (IllegalArgumentException e) {
      throw new IOException(dir.resolve(WEIGHTS) + ": " + e.getMessage(), e);
    }
  }

  /** The directory's tokenizer.json, checked to exist. */
  public static Path tokenizerFile(Path dir) throws IOException {
    return require(dir, TOKENIZER);
  }

  /** Writes weights, a BERT config.json and the given tokenizer.json bytes into {@code dir}. */
  public static void write(Path dir, BertWeights weights, byte[] tokenizerJson) throws IOException {
    Files.createDirectories(dir);
    BertConfig c = weights.config();
    ObjectNode cfg = new ObjectMapper().createObjectNode();
    cfg.putArray("architectures").add("BertModel");
    cfg.put("model_type", "bert");
    cfg.put("vocab_size", c.vocabSize());
    cfg.put("hidden_size", c.hiddenSize());
    cfg.put("num_hidden_layers", c.numLayers());
    cfg.put("num_attention_heads", c.numHeads());
    cfg.put("intermediate_size", c.intermediateSize());
    cfg.put("max_position_embeddings", c.maxPositions());
    cfg.put("type_vocab_size", c.typeVocabSize());
    cfg.put("layer_norm_eps", c.layerNormEps());
    cfg.put("hidden_act", "gelu");
    Files.write(
        dir.resolve(CONFIG),
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(cfg));
    Safetensors.write(dir.resolve(WEIGHTS), weights.tensors().values(), Map.of("format", "pt"));
    Files.write(dir.resolve(TOKENIZER), tokenizerJson);
  }

  private static Path require(Path dir, String name) throws IOException {
    Path p = dir.resolve(name);
    if (!Files.isRegularFile(p)) {
      throw new NoSuchFileException(
          p.toString(),
          null,
          "backbone directory lacks "
              + name
              + " (needs "
              + CONFIG
              + ", "
              + WEIGHTS
              + ", "
              + TOKENIZER
              + ")");
    }
    return p;
  }
}
