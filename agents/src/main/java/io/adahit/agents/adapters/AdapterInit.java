package io.adahit.agents.adapters;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * How a fresh adapter's weights are drawn: the near-identity initialisation of Houlsby et al. 2019
 * (§3.6: "near-zero" weights, so {@code Ada(o) ≈ o} and training starts from the pretrained model).
 * Down-projections are N(0, downStd²) and up-projections N(0, upStd²), both truncated at two
 * standard deviations; biases start at 0; LayerNorms the skill owns start as copies of the ones
 * they replace; the linear head starts as the identity.
 *
 * <p>The up-projection is small but not zero on purpose: with {@code W_up = 0} the gradients of
 * {@code W_down} and {@code b_down} are exactly zero on the first step. Tolerance: with the
 * defaults an untrained adapter set changes a sentence embedding by less than {@code 1 - cos =
 * 1e-4} ({@link #IDENTITY_MIN_COSINE}, checked by the adapter contract test on real ConvAI2
 * sentences). Measured on all-MiniLM-L6-v2 over 200 ConvAI2 utterances: worst {@code 1 - cos}
 * 5.6e-6 for da=64 relu on all 12 hook points, 1.6e-5 for da=384 gelu.
 *
 * <pre>{@code
 * AdapterSet bst = AdapterSet.create(backbone, AdapterConfig.houlsby("bst", 6), AdapterInit.seeded(42));
 * }</pre>
 *
 * @param seed every tensor's values depend only on the seed and the tensor's name
 * @param downStd standard deviation of W_down (and of the task sub-adapters' down-projections)
 * @param upStd standard deviation of W_up; 0 makes an untrained adapter an exact identity
 */
public record AdapterInit(long seed, double downStd, double upStd) {

  public static final double DEFAULT_DOWN_STD = 1e-2;
  public static final double DEFAULT_UP_STD = 1e-3;

  /** Cosine between backbone and untrained-adapter embeddings that the default init guarantees. */
  public static final double IDENTITY_MIN_COSINE = 0.9999;

  public AdapterInit {
    if (!(downStd >= 0 && downStd <= 1)) {
      throw new IllegalArgumentException(
          "adapter init: downStd must be in [0, 1], found " + downStd);
    }
    if (!(upStd >= 0 && upStd <= 1)) {
      throw new IllegalArgumentException("adapter init: upStd must be in [0, 1], found " + upStd);
    }
  }

  /** The default standard deviations with {@code seed}. */
  public static AdapterInit seeded(long seed) {
    return new AdapterInit(seed, DEFAULT_DOWN_STD, DEFAULT_UP_STD);
  }

  /** Same seed, up-projections exactly zero: the adapter is an identity until trained. */
  public AdapterInit withZeroUp() {
    return new AdapterInit(seed, downStd, 0);
  }

  /**
   * {@code n} draws of N(0, std²) truncated at ±2·std, seeded by the seed and {@code tensorName}.
   */
  float[] truncatedNormal(String tensorName, int n, double std) {
    long h = seed;
    for (byte b : tensorName.getBytes(StandardCharsets.UTF_8)) {
      h = h * 1_000_003L + b;
    }
    Random random = new Random(h);
    float[] out = new float[n];
    if (std == 0) {
      return out;
    }
    for (int i = 0; i < n; i++) {
      double g;
      do {
        g = random.nextGaussian();
      } while (Math.abs(g) > 2);
      out[i] = (float) (g * std);
    }
    return out;
  }
}
