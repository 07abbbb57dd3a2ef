package io.adahit.agents.backbone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Shape of a BERT-family encoder: what the weight loaders check tensors against and what the
 * encoder builds. Immutable; validated on construction.
 *
 * <pre>{@code
 * BertConfig c = BertConfig.miniLmL6();            // the embedded default backbone
 * BertConfig bge = BertConfig.bgeSmallEnV15();     // the other embedded one
 * BertConfig hf = BertConfig.fromJson(dir.resolve("config.json"));
 * }</pre>
 *
 * @param vocabSize WordPiece vocabulary size
 * @param hiddenSize model width d
 * @param numLayers number of transformer blocks
 * @param numHeads attention heads; must divide hiddenSize
 * @param intermediateSize feed-forward width
 * @param maxPositions learned position embeddings, hence the longest input in word pieces
 * @param typeVocabSize token-type (segment) embeddings
 * @param layerNormEps epsilon of every LayerNorm
 */
public record BertConfig(
    int vocabSize,
    int hiddenSize,
    int numLayers,
    int numHeads,
    int intermediateSize,
    int maxPositions,
    int typeVocabSize,
    double layerNormEps) {

  public BertConfig {
    positive("vocab_size", vocabSize);
    positive("hidden_size", hiddenSize);
    positive("num_hidden_layers", numLayers);
    positive("num_attention_heads", numHeads);
    positive("intermediate_size", intermediateSize);
    positive("max_position_embeddings", maxPositions);
    positive("type_vocab_size", typeVocabSize);
    if (hiddenSize % numHeads != 0) {
      throw new IllegalArgumentException(
          "backbone config: hidden_size must be a multiple of num_attention_heads, found "
              + hiddenSize
              + " and "
              + numHeads);
    }
    if (!(layerNormEps > 0 && layerNormEps < 1)) {
      throw new IllegalArgumentException(
          "backbone config: layer_norm_eps must be in (0, 1), found " + layerNormEps);
    }
  }

  /** all-MiniLM-L6-v2: 6 layers, d=384, 12 heads, FFN 1536, 30,522 word pieces. */
  public static BertConfig miniLmL6() {
    return new BertConfig(30522, 384, 6, 12, 1536, 512, 2, 1e-12);
  }

  /**
   * BAAI bge-small-en-v1.5: 12 layers, d=384, 12 heads, FFN 1536, 30,522 word pieces, 512 positions
   * (its Hugging Face config.json; the shapes are checked against the ONNX initializers).
   */
  public static BertConfig bgeSmallEnV15() {
    return new BertConfig(30522, 384, 12, 12, 1536, 512, 2, 1e-12);
  }

  /** Width of one attention head. */
  public int headSize() {
    return hiddenSize / numHeads;
  }

  /**
   * Reads a Hugging Face {@code config.json}. Only BERT-family encoders with GELU are accepted;
   * anything else is refused with the field that does not fit.
   */
  public static BertConfig fromJson(Path configJson) throws IOException {
    JsonNode n;
    try {
      n = new ObjectMapper().readTree(Files.readAllBytes(configJson));
    } catch (IOException e) {
      throw new IOException("cannot read backbone config " + configJson + ": " + e.getMessage(), e);
    }
    if (n == null || !n.isObject()) {
      throw new IOException("backbone config " + configJson + ": not a JSON object");
    }
    String type = n.path("model_type").asText("bert");
    if (!type.equals("bert")) {
      throw new IOException(
          "backbone config "
              + configJson
              + ": model_type must be \"bert\" (BERT-family encoder), found \""
              + type
              + "\"");
    }
    String act = n.path("hidden_act").asText("gelu");
    if (!act.equals("gelu")) {
      throw new IOException(
          "backbone config "
              + configJson
              + ": hidden_act must be \"gelu\" (exact erf GELU), found \""
              + act
              + "\"");
    }
    try {
      return new BertConfig(
          required(n, "vocab_size", configJson),
          required(n, "hidden_size", configJson),
          required(n, "num_hidden_layers", configJson),
          required(n, "num_attention_heads", configJson),
          required(n, "intermediate_size", configJson),
          required(n, "max_position_embeddings", configJson),
          n.path("type_vocab_size").asInt(2),
          n.path("layer_norm_eps").asDouble(1e-12));
    } catch (IllegalArgumentException e) {
      throw new IOException(configJson + ": " + e.getMessage(), e);
    }
  }

  private static int required(JsonNode n, String field, Path file) throws IOException {
    JsonNode v = n.get(field);
    if (v == null || !v.canConvertToInt()) {
      throw new IOException(
          "backbone config " + file + ": missing integer field \"" + field + "\"");
    }
    return v.asInt();
  }

  private static void positive(String field, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(
          "backbone config: " + field + " must be > 0, found " + value);
    }
  }
}
