package io.adahit.agents.backbone;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The complete, shape-checked parameter set of a BERT encoder under Hugging Face's {@code
 * BertModel} names (no {@code bert.} prefix), linear weights in PyTorch's [out, in] layout. Every
 * loader (ONNX, safetensors) produces one; the encoder consumes one.
 *
 * <p>Construction checks that every parameter the config implies is present with its exact shape,
 * and names each problem: {@code "backbone weights: tensor
 * 'encoder.layer.0.attention.self.query.weight' must have shape [384, 384], found [384, 383]"}.
 * Extra tensors (a pooler, a task head) are ignored.
 */
public final class BertWeights {

  private final BertConfig config;
  private final Map<String, FloatTensor> tensors;
  private String fingerprint;

  /**
   * @param config the shape every tensor is checked against
   * @param found tensors by canonical name; extra names are dropped
   * @throws IllegalArgumentException naming every missing or wrong-shaped tensor
   */
  public BertWeights(BertConfig config, Map<String, FloatTensor> found) {
    this.config = config;
    Map<String, long[]> expected = expectedShapes(config);
    List<String> problems = new ArrayList<>();
    Map<String, FloatTensor> kept = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      FloatTensor t = found.get(e.getKey());
      if (t == null) {
        problems.add("tensor '" + e.getKey() + "' is missing");
      } else if (!Arrays.equals(t.shape(), e.getValue())) {
        problems.add(
            "tensor '"
                + e.getKey()
                + "' must have shape "
                + Arrays.toString(e.getValue())
                + ", found "
                + Arrays.toString(t.shape()));
      } else {
        kept.put(e.getKey(), t.name().equals(e.getKey()) ? t : t.rename(e.getKey()));
      }
    }
    if (!problems.isEmpty()) {
      int shown = Math.min(problems.size(), 8);
      throw new IllegalArgumentException(
          "backbone weights: "
              + String.join("; ", problems.subList(0, shown))
              + (problems.size() > shown
                  ? "; and " + (problems.size() - shown) + " more problems"
                  : ""));
    }
    this.tensors = Collections.unmodifiableMap(kept);
  }

  public BertConfig config() {
    return config;
  }

  /** Parameters in a fixed order (embeddings, then layer by layer). */
  public Map<String, FloatTensor> tensors() {
    return tensors;
  }

  public FloatTensor get(String name) {
    FloatTensor t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("backbone weights: no tensor '" + name + "'");
    }
    return t;
  }

  /** Total number of parameters. */
  public long parameterCount() {
    long n = 0;
    for (FloatTensor t : tensors.values()) {
      n += t.size();
    }
    return n;
  }

  /**
   * SHA-256 over names, shapes and float bits of every parameter, in name order: identical for the
   * same weights whichever file format they came from. Adapters record it so that an adapter
   * trained on one backbone is refused by another.
   */
  public synchronized String fingerprint() {
    if (fingerprint == null) {
      fingerprint = FloatTensor.fingerprint(tensors.values());
    }
    return fingerprint;
  }

  /** Canonical names and shapes of every parameter a config implies, in load order. */
  public static Map<String, long[]> expectedShapes(BertConfig c) {
    long d = c.hiddenSize();
    long f = c.intermediateSize();
    Map<String, long[]> m = new LinkedHashMap<>();
    m.put("embeddings.word_embeddings.weight", new long[] {c.vocabSize(), d});
    m.put("embeddings.position_embeddings.weight", new long[] {c.maxPositions(), d});
    m.put("embeddings.token_type_embeddings.weight", new long[] {c.typeVocabSize(), d});
    m.put("embeddings.LayerNorm.weight", new long[] {d});
    m.put("embeddings.LayerNorm.bias", new long[] {d});
    for (int i = 0; i < c.numLayers(); i++) {
      String p = "encoder.layer." + i + ".";
      for (String proj :
          List.of(
              "attention.self.query",
              "attention.self.key",
              "attention.self.value",
              "attention.output.dense")) {
        m.put(p + proj + ".weight", new long[] {d, d});
        m.put(p + proj + ".bias", new long[] {d});
      }
      m.put(p + "attention.output.LayerNorm.weight", new long[] {d});
      m.put(p + "attention.output.LayerNorm.bias", new long[] {d});
      m.put(p + "intermediate.dense.weight", new long[] {f, d});
      m.put(p + "intermediate.dense.bias", new long[] {f});
      m.put(p + "output.dense.weight", new long[] {d, f});
      m.put(p + "output.dense.bias", new long[] {d});
      m.put(p + "output.LayerNorm.weight", new long[] {d});
      m.put(p + "output.LayerNorm.bias", new long[] {d});
    }
    return m;
  }

  /**
   * Maps the names other BERT checkpoints use onto the canonical ones: a {@code bert.} prefix
   * (BertForX heads) and the old TensorFlow-port {@code gamma}/{@code beta} LayerNorm names.
   */
  public static String canonicalName(String name) {
    String n = name.startsWith("bert.") ? name.substring(5) : name;
    if (n.endsWith("LayerNorm.gamma")) {
      n = n.substring(0, n.length() - 5) + "weight";
    } else if (n.endsWith("LayerNorm.beta")) {
      n = n.substring(0, n.length() - 4) + "bias";
    }
    return n;
  }
}
