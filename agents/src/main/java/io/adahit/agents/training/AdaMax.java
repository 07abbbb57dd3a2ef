package io.adahit.agents.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.adahit.agents.backbone.FloatTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdaMax (Kingma and Ba 2015, §7.1), the optimiser of seed 000; DJL ships Adam but not AdaMax. Same
 * update as {@code torch.optim.Adamax}:
 *
 * <pre>
 *   m_t = β1·m + (1−β1)·g
 *   u_t = max(β2·u, |g| + ε)
 *   θ  −= lr / (1 − β1^t) · m_t / u_t
 * </pre>
 *
 * <p>Its moment estimates live on its own manager and are saved with checkpoints, so a resumed run
 * continues exactly. Updates run outside a gradient collector (in-place on the parameters).
 */
public final class AdaMax implements AutoCloseable {

  public static final double DEFAULT_BETA1 = 0.9;
  public static final double DEFAULT_BETA2 = 0.999;
  public static final double DEFAULT_EPS = 1e-8;

  private final NDManager manager;
  private final List<NDArray> params;
  private final List<NDArray> first;
  private final List<NDArray> inf;
  private final float beta1;
  private final float beta2;
  private final float eps;
  private long steps;

  /** Zero moments for {@code params}, on a sub-manager of {@code parent}. */
  public AdaMax(NDManager parent, List<NDArray> params) {
    this(parent, params, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS);
  }

  public AdaMax(NDManager parent, List<NDArray> params, double beta1, double beta2, double eps) {
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0)) {
      throw new IllegalArgumentException(
          "adamax: betas must be in [0, 1) and eps > 0, found beta1="
              + beta1
              + " beta2="
              + beta2
              + " eps="
              + eps);
    }
    this.manager = parent.newSubManager();
    this.params = List.copyOf(params);
    this.first = new ArrayList<>();
    this.inf = new ArrayList<>();
    for (NDArray p : params) {
      first.add(manager.zeros(p.getShape()));
      inf.add(manager.zeros(p.getShape()));
    }
    this.beta1 = (float) beta1;
    this.beta2 = (float) beta2;
    this.eps = (float) eps;
  }

  /** Optimiser steps taken (t). */
  public long steps() {
    return steps;
  }

  /**
   * One update of every parameter from its gradient, then zeroes the gradients.
   *
   * @param lr this step's learning rate
   * @return the global L2 norm of the gradients (for logging)
   */
  public double step(double lr) {
    steps++;
    float corrected = (float) (lr / (1 - Math.pow(beta1, steps)));
    double sq = 0;
    for (int i = 0; i < params.size(); i++) {
      NDArray p = params.get(i);
      NDArray m = first.get(i);
      NDArray u = inf.get(i);
      // every temporary of this update lands on the scratch manager and is freed with it
      try (NDManager scratch = manager.newSubManager()) {
        NDArray g = p.getGradient();
        g.attach(scratch);
        m.tempAttach(scratch);
        u.tempAttach(scratch);
        sq += g.square().sum().getFloat();
        m.muli(beta1).addi(g.mul(1 - beta1));
        NDArray nu = u.mul(beta2).maximum(g.abs().add(eps));
        u.subi(u).addi(nu);
        p.subi(m.div(u).mul(corrected));
        g.subi(g);
      }
    }
    return Math.sqrt(sq);
  }

  /** The moments under {@code "<name>.adamax_m"} / {@code "<name>.adamax_u"}, for checkpoints. */
  public Map<String, FloatTensor> state(List<String> names) {
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    for (int i = 0; i < params.size(); i++) {
      out.put(names.get(i) + ".adamax_m", tensor(names.get(i) + ".adamax_m", first.get(i)));
      out.put(names.get(i) + ".adamax_u", tensor(names.get(i) + ".adamax_u", inf.get(i)));
    }
    return out;
  }

  /** Restores moments and the step count saved by {@link #state}. */
  public void restore(List<String> names, Map<String, FloatTensor> state, long stepCount) {
    for (int i = 0; i < params.size(); i++) {
      copyInto(first.get(i), state.get(names.get(i) + ".adamax_m"), names.get(i));
      copyInto(inf.get(i), state.get(names.get(i) + ".adamax_u"), names.get(i));
    }
    this.steps = stepCount;
  }

  static void copyInto(NDArray target, FloatTensor t, String name) {
    if (t == null || t.data().length != target.size()) {
      throw new IllegalArgumentException(
          "checkpoint: tensor for '"
              + name
              + "' is missing or has "
              + (t == null ? "no data" : t.data().length + " values")
              + ", expected "
              + target.size());
    }
    try (NDArray src = target.getManager().create(t.data(), target.getShape())) {
      target.subi(target).addi(src);
    }
  }

  private static FloatTensor tensor(String name, NDArray a) {
    return new FloatTensor(name, a.getShape().getShape(), a.toFloatArray());
  }

  @Override
  public void close() {
    manager.close();
  }
}
