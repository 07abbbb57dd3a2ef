package io.adahit.agents.training;

import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.Truncation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The contexts and replies of a list of pairs, each in a {@link LayerCache}: contexts keep their
 * end (ParlAI truncates the history from the left), replies their start.
 */
record PairCaches(LayerCache contexts, LayerCache replies, List<TrainingPair> pairs) {

  static PairCaches build(
      Backbone backbone,
      List<TrainingPair> pairs,
      TrainerOptions o,
      int level,
      Path cacheDir,
      IntConsumer progress)
      throws IOException {
    int n = pairs.size();
    LayerCache c =
        LayerCache.buildOrLoad(
            backbone,
            pairs.stream().map(TrainingPair::context).toList(),
            o.contextLength(),
            Truncation.KEEP_END,
            level,
            o.encodeBatchSize(),
            cacheDir,
            progress == null ? null : done -> progress.accept(done));
    LayerCache r =
        LayerCache.buildOrLoad(
            backbone,
            pairs.stream().map(TrainingPair::reply).toList(),
            o.replyLength(),
            Truncation.KEEP_START,
            level,
            o.encodeBatchSize(),
            cacheDir,
            progress == null ? null : done -> progress.accept(n + done));
    return new PairCaches(c, r, pairs);
  }

  int size() {
    return pairs.size();
  }
}
