package io.adahit.agents.adapters;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;

/**
 * The feature-extraction (FE) baseline of the seed paper's Table 1: the backbone stays frozen and
 * untouched, and a trained linear map transforms its pooled sentence embedding, {@code e' = W · e +
 * b} with W: d×d initialised to the identity and b to 0, so an untrained head changes nothing. d² +
 * d parameters. Not a hook: it acts on mean-pooled, not yet normalised, embeddings [batch, d];
 * {@link AdapterSet#encode} and {@link AdapterSet#embed} apply it and then normalise.
 *
 * <pre>{@code
 * AdapterSet fe = AdapterSet.create(backbone, AdapterConfig.linearHead("bst"), AdapterInit.seeded(1));
 * NDArray pooled = BertEncoder.meanPool(backbone.encoder().forward(m, batch, fe), batch, false);
 * NDArray e = fe.head(pooled);                     // or fe.encode(m, batch, true)
 * }</pre>
 */
public final class LinearHead {

  private final NDArray weight;
  private final NDArray bias;

  LinearHead(NDArray weight, NDArray bias) {
    this.weight = weight;
    this.bias = bias;
  }

  /**
   * {@code W · e + b} for each row of {@code pooled} [batch, d]; the result lives on its manager.
   */
  public NDArray apply(NDArray pooled) {
    long d = weight.getShape().get(1);
    if (pooled.getShape().dimension() != 2 || pooled.getShape().get(1) != d) {
      throw new IllegalArgumentException(
          "linear head: input must be [batch, " + d + "], found " + pooled.getShape());
    }
    return Linear.linear(pooled, weight, bias).singletonOrThrow();
  }
}
