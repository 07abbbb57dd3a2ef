package io.adahit.agents.adapters;

import ai.djl.ndarray.NDArray;
import io.adahit.agents.backbone.HookPoint;

/**
 * An AdaHIT hierarchical adapter at one hook point: a frozen base bottleneck adapter (multi-task
 * trained, shared by all skills) with task-specific sub-adapters before each of its projections:
 *
 * <pre>
 *   Ada_bs(o) = o + W_up · Ada_ts2( act( W_down · Ada_ts1(o) + b_down ) ) + b_up
 *   Ada_ts(x) = x + U · act(D · x + c) + e          (Ada_ts1 on d, Ada_ts2 on da)
 * </pre>
 *
 * <p>Only the sub-adapters (and the LayerNorm, if the skill owns one) train: 2·d·t1 + d + t1 +
 * 2·da·t2 + da + t2 parameters per point. With identity sub-adapters (up- projections zero) it is
 * exactly the base adapter; with the default near-identity init, the base adapter up to init noise.
 * Without its own LayerNorm it uses the base's, if the base owns one.
 *
 * <pre>{@code
 * AdapterSet base = AdapterFiles.load(dir.resolve("base"), backbone, null);   // frozen
 * AdapterSet bst = AdapterSet.create(backbone,
 *     AdapterConfig.hierarchical("bst", base.config(), 16, 8), AdapterInit.seeded(1), base);
 * }</pre>
 */
public final class HierarchicalAdapter implements AdapterModule {

  private final BottleneckAdapter base;
  private final Bottleneck taskIn;
  private final Bottleneck taskMid;
  private final NDArray[] layerNorm;

  HierarchicalAdapter(
      BottleneckAdapter base, Bottleneck taskIn, Bottleneck taskMid, NDArray[] layerNorm) {
    this.base = base;
    this.taskIn = taskIn;
    this.taskMid = taskMid;
    this.layerNorm = layerNorm;
  }

  @Override
  public HookPoint point() {
    return base.point();
  }

  @Override
  public NDArray forward(NDArray o) {
    NDArray z = base.down(taskIn.withSkip(o));
    return o.add(base.up(taskMid.withSkip(z)));
  }

  @Override
  public NDArray[] layerNorm() {
    return layerNorm != null ? layerNorm.clone() : base.layerNorm();
  }

  /** The frozen base adapter at the same point. */
  public BottleneckAdapter base() {
    return base;
  }

  @Override
  public String toString() {
    return "HierarchicalAdapter[" + point() + "]";
  }
}
