package io.adahit.agents.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * A frozen BERT encoder written with DJL NDArray operations (PyTorch engine): embeddings, then
 * {@code numLayers} blocks of multi-head self-attention and a GELU feed-forward network, each
 * sub-layer followed by its hook point, residual add and LayerNorm (post-LN BERT):
 *
 * <pre>
 *   a = LN(x + hook_attn(W_o · MHA(x) + b_o))
 *   y = LN(a + hook_ffn(W_2 · gelu(W_1 · a + b_1) + b_2))
 * </pre>
 *
 * <p>With {@link LayerHooks#NONE} the output is exactly the pretrained model's {@code
 * last_hidden_state}. Parameters never require gradients, so training code that puts trainable
 * modules at the hook points reaches only those modules.
 *
 * <p>Query, key and value projections are fused into one [3d, d] GEMM, and the attention scale
 * 1/sqrt(head size) is folded into the query projection at load time.
 */
public final class BertEncoder implements AutoCloseable {

  private final BertConfig config;
  private final NDManager manager;
  private final NDArray wordEmbeddings;
  private final NDArray positionEmbeddings;
  private final NDArray tokenTypeEmbeddings;
  private final NDArray embLnGamma;
  private final NDArray embLnBeta;
  private final List<Block> blocks;
  private final Shape normShape;
  private final float eps;
  private final LongAdder texts = new LongAdder();
  private final LongAdder tokens = new LongAdder();
  private final LongAdder paddedTokens = new LongAdder();

  /** The parameters of one transformer block, on the encoder's manager. */
  private record Block(
      NDArray qkvWeight,
      NDArray qkvBias,
      NDArray outWeight,
      NDArray outBias,
      NDArray ln1Gamma,
      NDArray ln1Beta,
      NDArray ffnInWeight,
      NDArray ffnInBias,
      NDArray ffnOutWeight,
      NDArray ffnOutBias,
      NDArray ln2Gamma,
      NDArray ln2Beta) {

    List<NDArray> all() {
      return List.of(
          qkvWeight,
          qkvBias,
          outWeight,
          outBias,
          ln1Gamma,
          ln1Beta,
          ffnInWeight,
          ffnInBias,
          ffnOutWeight,
          ffnOutBias,
          ln2Gamma,
          ln2Beta);
    }
  }

  /**
   * Copies {@code weights} onto a new sub-manager of {@code parent}.
   *
   * @param parent the manager whose engine and device the parameters live on
   */
  public BertEncoder(BertWeights weights, NDManager parent) {
    this.config = weights.config();
    this.manager = parent.newSubManager();
    this.normShape = new Shape(config.hiddenSize());
    this.eps = (float) config.layerNormEps();
    try {
      wordEmbeddings = param(weights, "embeddings.word_embeddings.weight");
      positionEmbeddings = param(weights, "embeddings.position_embeddings.weight");
      tokenTypeEmbeddings = param(weights, "embeddings.token_type_embeddings.weight");
      embLnGamma = param(weights, "embeddings.LayerNorm.weight");
      embLnBeta = param(weights, "embeddings.LayerNorm.bias");
      float scale = (float) (1.0 / Math.sqrt(config.headSize()));
      List<Block> list = new ArrayList<>();
      for (int i = 0; i < config.numLayers(); i++) {
        String p = "encoder.layer." + i + ".";
        NDArray qkvW =
            fused(
                scale,
                param(weights, p + "attention.self.query.weight"),
                param(weights, p + "attention.self.key.weight"),
                param(weights, p + "attention.self.value.weight"));
        NDArray qkvB =
            fused(
                scale,
                param(weights, p + "attention.self.query.bias"),
                param(weights, p + "attention.self.key.bias"),
                param(weights, p + "attention.self.value.bias"));
        list.add(
            new Block(
                qkvW,
                qkvB,
                param(weights, p + "attention.output.dense.weight"),
                param(weights, p + "attention.output.dense.bias"),
                param(weights, p + "attention.output.LayerNorm.weight"),
                param(weights, p + "attention.output.LayerNorm.bias"),
                param(weights, p + "intermediate.dense.weight"),
                param(weights, p + "intermediate.dense.bias"),
                param(weights, p + "output.dense.weight"),
                param(weights, p + "output.dense.bias"),
                param(weights, p + "output.LayerNorm.weight"),
                param(weights, p + "output.LayerNorm.bias")));
      }
      blocks = Collections.unmodifiableList(list);
      for (NDArray a : parameters()) {
        a.setRequiresGradient(false);
      }
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** [q·scale; k; v] stacked along the output axis; the three inputs are freed. */
  private static NDArray fused(float scale, NDArray q, NDArray k, NDArray v) {
    q.muli(scale);
    NDArray out = NDArrays.concat(new NDList(q, k, v), 0);
    q.close();
    k.close();
    v.close();
    return out;
  }

  private NDArray param(BertWeights w, String name) {
    FloatTensor t = w.get(name);
    return manager.create(t.data(), new Shape(t.shape()));
  }

  public BertConfig config() {
    return config;
  }

  /** Every parameter the encoder computes with (the fused forms), for freezing checks. */
  public List<NDArray> parameters() {
    List<NDArray> all =
        new ArrayList<>(
            List.of(
                wordEmbeddings, positionEmbeddings, tokenTypeEmbeddings, embLnGamma, embLnBeta));
    for (Block b : blocks) {
      all.addAll(b.all());
    }
    return all;
  }

  /**
   * The backbone's own LayerNorm {@code {gamma, beta}} right after {@code point} (frozen; an
   * adapter that trains its LayerNorm starts from a duplicate of these).
   */
  public NDArray[] layerNormParams(HookPoint point) {
    Block b = blocks.get(point.layer());
    return point.position() == HookPoint.Position.AFTER_ATTENTION
        ? new NDArray[] {b.ln1Gamma, b.ln1Beta}
        : new NDArray[] {b.ln2Gamma, b.ln2Beta};
  }

  /**
   * Runs the whole encoder.
   *
   * @param m manager that owns the returned array; intermediates are freed per layer
   * @param batch ids and attention mask, [batch, seq]; a single segment (token type 0)
   * @param hooks modules at the hook points, {@link LayerHooks#NONE} for the pretrained model
   * @return last hidden state [batch, seq, d]
   */
  public NDArray forward(NDManager m, TokenBatch batch, LayerHooks hooks) {
    if (batch.batchSize() == 0) {
      throw new IllegalArgumentException("encoder: empty batch (no texts to encode)");
    }
    if (batch.seqLen() > config.maxPositions()) {
      throw new IllegalArgumentException(
          "encoder: sequence length must be <= "
              + config.maxPositions()
              + " (max_position_embeddings), found "
              + batch.seqLen());
    }
    NDArray x = embed(m, batch);
    NDArray maskAdd = attentionBias(m, batch);
    NDArray out = forwardLayers(m, x, maskAdd, 0, config.numLayers(), hooks);
    texts.add(batch.batchSize());
    tokens.add(batch.realTokens());
    paddedTokens.add((long) batch.batchSize() * batch.seqLen());
    return out;
  }

  /**
   * What full {@link #forward} passes have encoded since this encoder was built (thread-safe;
   * partial passes such as {@link #forwardLayers} alone are not counted).
   */
  public EncoderWork work() {
    return new EncoderWork(texts.sum(), tokens.sum(), paddedTokens.sum());
  }

  /** Embedding sum and LayerNorm, [batch, seq, d]. */
  public NDArray embed(NDManager m, TokenBatch batch) {
    try (NDManager sub = m.newSubManager()) {
      Shape s = new Shape(batch.batchSize(), batch.seqLen());
      NDArray ids = sub.create(batch.ids(), s);
      NDArray words =
          Embedding.embedding(ids, wordEmbeddings, SparseFormat.DENSE).singletonOrThrow();
      NDArray pos = positionEmbeddings.get(new NDIndex("0:{}", batch.seqLen()));
      NDArray type = tokenTypeEmbeddings.get(0);
      NDArray sum = words.add(pos).add(type);
      NDArray out =
          LayerNorm.layerNorm(sum, normShape, embLnGamma, embLnBeta, eps).singletonOrThrow();
      out.attach(m);
      return out;
    }
  }

  /**
   * Additive attention bias [batch, 1, 1, seq]: 0 on real tokens, the most negative float on
   * padding (as the ONNX export of BertModel does).
   */
  public NDArray attentionBias(NDManager m, TokenBatch batch) {
    try (NDManager sub = m.newSubManager()) {
      NDArray mask =
          sub.create(batch.attentionMask(), new Shape(batch.batchSize(), 1, 1, batch.seqLen()))
              .toType(DataType.FLOAT32, false);
      NDArray bias = mask.neg().add(1f).mul(-Float.MAX_VALUE);
      bias.attach(m);
      return bias;
    }
  }

  /**
   * Runs blocks {@code from} (inclusive) to {@code to} (exclusive) on hidden states {@code x}:
   * training caches the output of the frozen lower blocks and runs only the top ones.
   */
  public NDArray forwardLayers(
      NDManager m, NDArray x, NDArray attentionBias, int from, int to, LayerHooks hooks) {
    if (from < 0 || to > config.numLayers() || from > to) {
      throw new IllegalArgumentException(
          "encoder: layer range must lie in [0, "
              + config.numLayers()
              + "], found ["
              + from
              + ", "
              + to
              + ")");
    }
    NDArray h = x;
    for (int i = from; i < to; i++) {
      try (NDManager sub = m.newSubManager()) {
        h.tempAttach(sub);
        NDArray out = block(i, h, attentionBias, hooks);
        out.attach(m);
        h = out;
      }
    }
    return h;
  }

  private NDArray block(int layer, NDArray x, NDArray attentionBias, LayerHooks hooks) {
    Block b = blocks.get(layer);
    Shape s = x.getShape();
    long batch = s.get(0);
    long seq = s.get(1);
    int heads = config.numHeads();
    int hs = config.headSize();
    // [B, L, 3d] -> [3, B, H, L, hs]
    NDArray qkv =
        Linear.linear(x, b.qkvWeight, b.qkvBias)
            .singletonOrThrow()
            .reshape(batch, seq, 3, heads, hs)
            .transpose(2, 0, 3, 1, 4);
    NDList parts = qkv.split(3, 0);
    NDArray q = parts.get(0).squeeze(0);
    NDArray k = parts.get(1).squeeze(0);
    NDArray v = parts.get(2).squeeze(0);
    NDArray probs = q.matMul(k.transpose(0, 1, 3, 2)).add(attentionBias).softmax(-1);
    NDArray context =
        probs.matMul(v).transpose(0, 2, 1, 3).reshape(batch, seq, config.hiddenSize());
    NDArray attnOut = Linear.linear(context, b.outWeight, b.outBias).singletonOrThrow();
    HookPoint attnPoint = new HookPoint(layer, HookPoint.Position.AFTER_ATTENTION);
    attnOut = hooks.apply(attnPoint, attnOut);
    NDArray a = layerNorm(x.add(attnOut), hooks.layerNorm(attnPoint), b.ln1Gamma, b.ln1Beta);
    NDArray inner =
        Activation.gelu(Linear.linear(a, b.ffnInWeight, b.ffnInBias).singletonOrThrow());
    NDArray ffnOut = Linear.linear(inner, b.ffnOutWeight, b.ffnOutBias).singletonOrThrow();
    HookPoint ffnPoint = new HookPoint(layer, HookPoint.Position.AFTER_FEED_FORWARD);
    ffnOut = hooks.apply(ffnPoint, ffnOut);
    return layerNorm(a.add(ffnOut), hooks.layerNorm(ffnPoint), b.ln2Gamma, b.ln2Beta);
  }

  private NDArray layerNorm(NDArray x, NDArray[] override, NDArray gamma, NDArray beta) {
    NDArray g = override == null ? gamma : override[0];
    NDArray bt = override == null ? beta : override[1];
    return LayerNorm.layerNorm(x, normShape, g, bt, eps).singletonOrThrow();
  }

  /**
   * Mean of the hidden states over real tokens (sentence-transformers' pooling), [batch, d],
   * optionally L2-normalised.
   */
  public static NDArray meanPool(NDArray hidden, TokenBatch batch, boolean normalize) {
    NDManager m = hidden.getManager();
    NDArray mask =
        m.create(batch.attentionMask(), new Shape(batch.batchSize(), batch.seqLen(), 1))
            .toType(DataType.FLOAT32, false);
    NDArray summed = hidden.mul(mask).sum(new int[] {1});
    NDArray counts = mask.sum(new int[] {1}).maximum(1e-9f);
    NDArray pooled = summed.div(counts);
    if (normalize) {
      pooled = pooled.div(pooled.norm(new int[] {1}, true).maximum(1e-12f));
    }
    return pooled;
  }

  @Override
  public void close() {
    manager.close();
  }
}
