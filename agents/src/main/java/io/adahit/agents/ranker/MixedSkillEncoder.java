package io.adahit.agents.ranker;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.adahit.agents.adapters.AdapterKind;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.BertEncoder;
import io.adahit.agents.backbone.HookPoint;
import io.adahit.agents.backbone.LayerHooks;
import io.adahit.agents.backbone.TokenBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes one batch whose rows belong to different skills with a single backbone pass: rows are
 * grouped into contiguous segments, one per skill, and at every hook point each segment's slice
 * goes through that segment's adapters ({@code h' = LN(h + Ada_s(F(h)))} row-wise), so the frozen
 * backbone's matrix products run once for the whole batch and only the adapter work is per skill.
 *
 * <p>Skills whose adapters carry their own LayerNorm change the normalisation itself; from the
 * first such layer on, the segments continue through the remaining layers separately (still one
 * pass for the layers below). A skill with a linear head gets it on its pooled rows.
 *
 * <pre>{@code
 * NDArray e = encoder.encode(m, batch, List.of(new Segment(0, 3, null), new Segment(3, 5, bst)), true);
 * }</pre>
 *
 * <p>The result equals encoding each skill's rows on their own (up to float rounding); see {@code
 * MixedSkillEncoderTest}.
 */
public final class MixedSkillEncoder {

  /**
   * Rows {@code from} (inclusive) to {@code to} (exclusive) of a batch, encoded with {@code
   * adapters}.
   *
   * @param adapters the skill's adapter set, null for the zero-shot backbone
   */
  public record Segment(int from, int to, AdapterSet adapters) {
    public Segment {
      if (from < 0 || to <= from) {
        throw new IllegalArgumentException(
            "segment: rows must satisfy 0 <= from < to, found [" + from + ", " + to + ")");
      }
    }

    LayerHooks hooks() {
      return adapters == null ? LayerHooks.NONE : adapters;
    }
  }

  private final Backbone backbone;

  public MixedSkillEncoder(Backbone backbone) {
    this.backbone = backbone;
  }

  /**
   * Sentence embeddings [batch, d] of {@code batch}, on {@code m}.
   *
   * @param segments contiguous, covering every row in order
   */
  public NDArray encode(NDManager m, TokenBatch batch, List<Segment> segments, boolean normalize) {
    checkCover(segments, batch.batchSize());
    BertEncoder encoder = backbone.encoder();
    int layers = backbone.config().numLayers();
    NDArray x = encoder.embed(m, batch);
    NDArray bias = encoder.attentionBias(m, batch);
    NDArray hidden;
    if (segments.size() == 1) {
      hidden = encoder.forwardLayers(m, x, bias, 0, layers, segments.get(0).hooks());
    } else {
      int split = firstOwnLayerNorm(segments, layers);
      hidden = encoder.forwardLayers(m, x, bias, 0, split, new SegmentedHooks(segments));
      if (split < layers) {
        NDList parts = new NDList();
        for (Segment s : segments) {
          NDIndex rows = rows(s);
          parts.add(
              encoder.forwardLayers(m, hidden.get(rows), bias.get(rows), split, layers, s.hooks()));
        }
        hidden = NDArrays.concat(parts, 0);
      }
    }
    NDArray pooled = BertEncoder.meanPool(hidden, batch, false);
    boolean anyHead =
        segments.stream()
            .anyMatch(s -> s.adapters() != null && s.adapters().kind() == AdapterKind.LINEAR_HEAD);
    if (anyHead) {
      NDList parts = new NDList();
      for (Segment s : segments) {
        NDArray p = pooled.get(rows(s));
        parts.add(s.adapters() == null ? p : s.adapters().head(p));
      }
      pooled = segments.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
    }
    return normalize ? pooled.div(pooled.norm(new int[] {1}, true).maximum(1e-12f)) : pooled;
  }

  private static NDIndex rows(Segment s) {
    return new NDIndex("{}:{}", s.from(), s.to());
  }

  private static void checkCover(List<Segment> segments, int rows) {
    if (segments.isEmpty()) {
      throw new IllegalArgumentException("mixed batch: no segments");
    }
    int next = 0;
    for (Segment s : segments) {
      if (s.from() != next) {
        throw new IllegalArgumentException(
            "mixed batch: segments must be contiguous from row 0, found a segment at "
                + s.from()
                + " where "
                + next
                + " was expected");
      }
      next = s.to();
    }
    if (next != rows) {
      throw new IllegalArgumentException(
          "mixed batch: segments cover " + next + " rows, the batch has " + rows);
    }
  }

  /** The first layer where some segment's adapters replace a LayerNorm; {@code layers} if none. */
  private static int firstOwnLayerNorm(List<Segment> segments, int layers) {
    for (int layer = 0; layer < layers; layer++) {
      for (HookPoint.Position pos : HookPoint.Position.values()) {
        HookPoint p = new HookPoint(layer, pos);
        for (Segment s : segments) {
          if (s.adapters() != null && s.adapters().layerNorm(p) != null) {
            return layer;
          }
        }
      }
    }
    return layers;
  }

  /**
   * Each segment's rows through that segment's module; rows of zero-shot segments pass unchanged.
   */
  private static final class SegmentedHooks implements LayerHooks {
    private final List<Segment> segments;

    SegmentedHooks(List<Segment> segments) {
      this.segments = segments;
    }

    @Override
    public NDArray apply(HookPoint point, NDArray out) {
      boolean any = false;
      for (Segment s : segments) {
        any |= s.adapters() != null && s.adapters().module(point).isPresent();
      }
      if (!any) {
        return out;
      }
      List<NDArray> parts = new ArrayList<>(segments.size());
      for (Segment s : segments) {
        NDArray slice = out.get(rows(s));
        parts.add(s.adapters() == null ? slice : s.adapters().apply(point, slice));
      }
      return NDArrays.concat(new NDList(parts), 0);
    }
  }
}
