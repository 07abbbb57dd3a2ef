package io.adahit.agents.backbone;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared, frozen pretrained encoder every skill runs on: tokenizer plus {@link BertEncoder},
 * with sentence embeddings (mean pooling) as plain Java arrays. One instance serves all skills; it
 * is thread-safe (each call works in its own NDManager, freed when the call returns).
 *
 * <pre>{@code
 * try (Backbone backbone = Backbone.loadDefault()) {         // all-MiniLM-L6-v2, offline
 *   float[][] e = backbone.embed(List.of("hi there", "your persona: i like to ski."),
 *       EncodeOptions.defaults());
 * }
 * }</pre>
 *
 * <p>Nothing is downloaded: the default weights and tokenizer are resources of a Maven jar, the
 * PyTorch native library comes from the pytorch-native-cpu jar. Setting {@code ai.djl.offline} (so
 * that DJL fails rather than downloads) is the entry point's job: {@link EngineDefaults}.
 */
public final class Backbone implements AutoCloseable {

  /** Resource names of the embedded default backbone (langchain4j's all-MiniLM-L6-v2 jar). */
  public static final String DEFAULT_ONNX_RESOURCE =
      EmbeddedBackbone.ALL_MINILM_L6_V2.onnxResource();

  public static final String DEFAULT_TOKENIZER_RESOURCE =
      EmbeddedBackbone.ALL_MINILM_L6_V2.tokenizerResource();
  public static final String DEFAULT_NAME = EmbeddedBackbone.ALL_MINILM_L6_V2.displayName();

  private final String name;
  private final EmbeddedBackbone embedded;
  private static final Logger LOG = LoggerFactory.getLogger(Backbone.class);
  private final BertConfig config;
  private final String fingerprint;
  private final long parameterCount;
  private final BackboneTokenizer tokenizer;
  private final NDManager root;
  private final BertEncoder encoder;

  private Backbone(
      String name, EmbeddedBackbone embedded, BertWeights weights, BackboneTokenizer tokenizer) {
    CpuTuning cpu = CpuTuning.detect();
    if (cpu.slow()) {
      LOG.warn(cpu.describe());
    }
    this.name = name;
    this.embedded = embedded;
    this.config = weights.config();
    this.fingerprint = weights.fingerprint();
    this.parameterCount = weights.parameterCount();
    this.tokenizer = tokenizer;
    this.root = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    try {
      this.encoder = new BertEncoder(weights, root);
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
  }

  /** A backbone from weights already read and a tokenizer; takes ownership of the tokenizer. */
  public static Backbone create(String name, BertWeights weights, BackboneTokenizer tokenizer) {
    return new Backbone(name, null, weights, tokenizer);
  }

  /** The embedded default: all-MiniLM-L6-v2 read from its Maven artifact's ONNX file. */
  public static Backbone loadDefault() throws IOException {
    return load(EmbeddedBackbone.defaultBackbone());
  }

  /** One of the embedded backbones, read from its Maven artifact's ONNX file. */
  public static Backbone load(EmbeddedBackbone which) throws IOException {
    BertWeights weights = which.readWeights();
    return new Backbone(which.displayName(), which, weights, which.readTokenizer());
  }

  /**
   * A backbone by name or path: an embedded backbone's name ({@link EmbeddedBackbone#names()}),
   * else a path as {@link #load(Path)} takes; null gives the default. A value that is neither is
   * refused naming both readings.
   */
  public static Backbone open(String nameOrPath) throws IOException {
    if (nameOrPath == null) {
      return loadDefault();
    }
    Optional<EmbeddedBackbone> named = EmbeddedBackbone.find(nameOrPath);
    if (named.isPresent()) {
      return load(named.get());
    }
    Path path = Path.of(nameOrPath);
    if (!Files.exists(path)) {
      throw new NoSuchFileException(
          nameOrPath,
          null,
          "backbone is neither an embedded backbone ("
              + String.join(", ", EmbeddedBackbone.names())
              + ") nor an existing Hugging Face directory or .onnx file");
    }
    return load(path);
  }

  /**
   * Loads a backbone from a path: a Hugging Face directory (config.json, model.safetensors,
   * tokenizer.json) or an {@code .onnx} file of a MiniLM-L6-shaped BERT with a {@code
   * tokenizer.json} beside it.
   */
  public static Backbone load(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      BertWeights w = HuggingFaceDirectory.readWeights(path);
      return new Backbone(
          path.getFileName().toString(),
          null,
          w,
          BackboneTokenizer.fromFile(HuggingFaceDirectory.tokenizerFile(path)));
    }
    if (!Files.isRegularFile(path)) {
      throw new NoSuchFileException(
          path.toString(),
          null,
          "backbone not found (expected a Hugging Face directory or an .onnx file)");
    }
    BertWeights w = OnnxWeightsReader.read(path, BertConfig.miniLmL6());
    Path tok = path.resolveSibling("tokenizer.json");
    return new Backbone(path.getFileName().toString(), null, w, BackboneTokenizer.fromFile(tok));
  }

  /** The default backbone's weights, read from the classpath. */
  public static BertWeights defaultWeights() throws IOException {
    return EmbeddedBackbone.defaultBackbone().readWeights();
  }

  /** The bytes of a classpath resource (an embedded backbone's ONNX or tokenizer file). */
  public static byte[] resource(String name) throws IOException {
    try (InputStream in = Backbone.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new NoSuchFileException(
            "classpath:" + name,
            null,
            "embedded backbone resource missing (is its langchain4j-embeddings jar on the classpath?)");
      }
      return in.readAllBytes();
    }
  }

  /**
   * Sentence embeddings (mean-pooled last hidden states), one row per text, in input order. An
   * empty list gives an empty array.
   */
  public float[][] embed(List<String> texts, EncodeOptions options) {
    return embed(texts, options, LayerHooks.NONE);
  }

  /** Sentence embeddings with modules (adapters) at the encoder's hook points. */
  public float[][] embed(List<String> texts, EncodeOptions options, LayerHooks hooks) {
    long[][] rows = tokenizer.encodeRows(texts, maxLength(options), options.truncation());
    float[][] out = new float[rows.length][];
    // longest first, so each batch pads to nearly its own length
    Integer[] order =
        IntStream.range(0, rows.length)
            .boxed()
            .sorted(Comparator.comparingInt((Integer i) -> -rows[i].length))
            .toArray(Integer[]::new);
    for (int start = 0; start < order.length; start += options.batchSize()) {
      int end = Math.min(order.length, start + options.batchSize());
      long[][] chunk = new long[end - start][];
      for (int j = start; j < end; j++) {
        chunk[j - start] = rows[order[j]];
      }
      float[][] pooled = embedBatch(tokenizer.pad(chunk), options.normalize(), hooks);
      for (int j = start; j < end; j++) {
        out[order[j]] = pooled[j - start];
      }
    }
    return out;
  }

  /** Sentence embeddings of one already tokenized batch, in row order. */
  public float[][] embedBatch(TokenBatch batch, boolean normalize, LayerHooks hooks) {
    if (batch.batchSize() == 0) {
      return new float[0][];
    }
    try (NDManager m = root.newSubManager()) {
      NDArray hidden = encoder.forward(m, batch, hooks);
      float[] flat = BertEncoder.meanPool(hidden, batch, normalize).toFloatArray();
      int d = config.hiddenSize();
      float[][] out = new float[batch.batchSize()][];
      for (int i = 0; i < out.length; i++) {
        out[i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
      }
      return out;
    }
  }

  /**
   * The encoder's last hidden state for each text, unpadded: {@code [text][token][d]}, tokens as
   * {@link #tokenizer()} produces them under {@code options}. One batch; for parity checks and
   * token-level tools.
   */
  public float[][][] lastHiddenState(List<String> texts, EncodeOptions options) {
    TokenBatch batch = tokenizer.encode(texts, maxLength(options), options.truncation());
    if (batch.batchSize() == 0) {
      return new float[0][][];
    }
    try (NDManager m = root.newSubManager()) {
      float[] flat = encoder.forward(m, batch, LayerHooks.NONE).toFloatArray();
      int d = config.hiddenSize();
      float[][][] out = new float[batch.batchSize()][][];
      for (int i = 0; i < out.length; i++) {
        out[i] = new float[batch.lengths()[i]][];
        for (int t = 0; t < out[i].length; t++) {
          int off = (i * batch.seqLen() + t) * d;
          out[i][t] = Arrays.copyOfRange(flat, off, off + d);
        }
      }
      return out;
    }
  }

  /** The options' max length, capped at the position table: longer text is truncated. */
  private int maxLength(EncodeOptions options) {
    return Math.min(options.maxLength(), config.maxPositions());
  }

  /** A new manager on the backbone's engine, for callers that run the encoder themselves. */
  public NDManager newManager() {
    return root.newSubManager();
  }

  public BertEncoder encoder() {
    return encoder;
  }

  public BackboneTokenizer tokenizer() {
    return tokenizer;
  }

  public BertConfig config() {
    return config;
  }

  public String name() {
    return name;
  }

  /** Which embedded backbone this is; empty for one loaded from a path or built from weights. */
  public Optional<EmbeddedBackbone> embedded() {
    return Optional.ofNullable(embedded);
  }

  /** SHA-256 of the weights; see {@link BertWeights#fingerprint()}. */
  public String fingerprint() {
    return fingerprint;
  }

  public long parameterCount() {
    return parameterCount;
  }

  @Override
  public void close() {
    encoder.close();
    root.close();
    tokenizer.close();
  }
}
