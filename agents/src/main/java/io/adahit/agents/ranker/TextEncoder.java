package io.adahit.agents.ranker;

import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.EncodeOptions;
import java.util.List;

/**
 * Texts to fixed-size embeddings, one row per text in input order: the backbone alone (zero-shot),
 * the backbone with a skill's adapters at its hook points, or either followed by a head. What a
 * {@link Ranker} encodes contexts and candidates with.
 *
 * <pre>{@code
 * TextEncoder zeroShot = TextEncoder.of(backbone);
 * TextEncoder skill = TextEncoder.of(skills.get("convai2"));
 * }</pre>
 */
@FunctionalInterface
public interface TextEncoder {

  float[][] encode(List<String> texts, EncodeOptions options);

  /** The pretrained backbone with nothing added. */
  static TextEncoder of(Backbone backbone) {
    return backbone::embed;
  }

  /**
   * A skill: the backbone with the skill's adapters at its hook points, then its head (the FE
   * linear head is not a hook, so passing an {@link AdapterSet} as plain {@code LayerHooks} to the
   * backbone would skip it).
   */
  static TextEncoder of(AdapterSet skill) {
    return skill::embed;
  }
}
