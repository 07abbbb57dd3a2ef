package io.adahit.agents.ranker;

import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.EncodeOptions;
import io.adahit.agents.backbone.LayerHooks;
import java.util.List;

/**
 * Texts to fixed-size embeddings, one row per text in input order: the backbone alone
 * (zero-shot), the backbone with a skill's adapters at its hook points, or either followed by a
 * head. What a {@link Ranker} encodes contexts and candidates with.
 *
 * <pre>{@code
 * TextEncoder zeroShot = TextEncoder.of(backbone);
 * TextEncoder skill = TextEncoder.of(backbone, adapterHooks);
 * }</pre>
 */
@FunctionalInterface
public interface TextEncoder {

  float[][] encode(List<String> texts, EncodeOptions options);

  /** The pretrained backbone with nothing added. */
  static TextEncoder of(Backbone backbone) {
    return backbone::embed;
  }

  /** The backbone with modules (a skill's adapters) at its hook points. */
  static TextEncoder of(Backbone backbone, LayerHooks hooks) {
    return (texts, options) -> backbone.embed(texts, options, hooks);
  }
}
