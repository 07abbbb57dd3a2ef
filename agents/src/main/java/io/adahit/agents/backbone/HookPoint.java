package io.adahit.agents.backbone;

/**
 * Where an adapter sits: in transformer block {@code layer}, on the output of a sub-layer's final
 * projection, before the residual add and LayerNorm (Houlsby et al. 2019, Fig. 2): {@code h' = LN(h
 * + Ada(F(h)))}.
 *
 * @param layer block index, 0-based
 * @param position which of the block's two sub-layers
 */
public record HookPoint(int layer, Position position) {

  /** The two hook positions of a transformer block. */
  public enum Position {
    /** After the attention output projection ({@code attention.output.dense}). */
    AFTER_ATTENTION,
    /** After the feed-forward output projection ({@code output.dense}). */
    AFTER_FEED_FORWARD
  }

  public HookPoint {
    if (layer < 0) {
      throw new IllegalArgumentException("hook point: layer must be >= 0, found " + layer);
    }
    if (position == null) {
      throw new IllegalArgumentException("hook point: position is required");
    }
  }
}
