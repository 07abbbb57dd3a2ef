package io.adahit.eval.harness;

import java.util.List;

/**
 * One of {@code numShards} deterministic slices of an evaluation ({@code --num-shards N --shard-id
 * I}), cut by episode so every example keeps its whole dialogue history: shard {@code I} takes the
 * episodes whose index is {@code I} modulo {@code N} (round robin, so long and short episodes
 * spread evenly). The slice is taken after {@code -ne}, so the shards of a run with {@code -ne 200}
 * together hold exactly the 200 examples one run evaluates, and their reports merge into its report
 * ({@code merge_reports}).
 *
 * <pre>{@code
 * Shard s = new Shard(4, 1);
 * List<EvalExample> mine = s.select(ContextBuilder.build(teacher, -1));   // episodes 1, 5, 9, ...
 * }</pre>
 *
 * @param numShards N >= 1
 * @param shardId I in 0..N-1
 */
public record Shard(int numShards, int shardId) {

  /** The whole evaluation as one shard. */
  public static final Shard ALL = new Shard(1, 0);

  public Shard {
    if (numShards < 1) {
      throw new IllegalArgumentException("--num-shards must be >= 1, found " + numShards);
    }
    if (shardId < 0 || shardId >= numShards) {
      throw new IllegalArgumentException(
          "--shard-id must be in 0.."
              + (numShards - 1)
              + " for --num-shards "
              + numShards
              + ", found "
              + shardId);
    }
  }

  /** Whether the run is split at all. */
  public boolean isSharded() {
    return numShards > 1;
  }

  /** Whether episode {@code episode} belongs to this shard. */
  public boolean owns(int episode) {
    return episode % numShards == shardId;
  }

  /** This shard's examples, in their original order. */
  public List<EvalExample> select(List<EvalExample> examples) {
    if (!isSharded()) {
      return examples;
    }
    return examples.stream().filter(e -> owns(e.episode())).toList();
  }
}
