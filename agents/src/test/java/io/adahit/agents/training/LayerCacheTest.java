package io.adahit.agents.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.Truncation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A layer cache kept on disk is built in parts, and a build that stopped goes on from its parts.
 */
class LayerCacheTest {

  private static final int BATCH = 2;
  private static Backbone backbone;

  @BeforeAll
  static void load() throws Exception {
    backbone = Backbone.loadDefault();
  }

  @AfterAll
  static void close() {
    backbone.close();
  }

  private static List<String> texts() {
    String[] words = {"dogs", "the sea", "pizza", "my brother's band", "winter", "a long trip"};
    return IntStream.range(0, CacheParts.textsPerPart(BATCH) + 40)
        .mapToObj(i -> "message " + i + " is about " + words[i % words.length] + " ".repeat(i % 3))
        .map(t -> t.repeat(1 + t.length() % 4))
        .toList();
  }

  @Test
  void aStoppedBuildGoesOnFromItsLastKeptPartAndEqualsAWholeBuild(@TempDir Path dir)
      throws Exception {
    List<String> texts = texts();
    int layers = backbone.config().numLayers();
    int part = CacheParts.textsPerPart(BATCH);
    LayerCache whole =
        LayerCache.build(backbone, texts, 32, Truncation.KEEP_END, layers, BATCH, null);

    assertThatThrownBy(
            () ->
                LayerCache.buildOrLoad(
                    backbone,
                    texts,
                    32,
                    Truncation.KEEP_END,
                    layers,
                    BATCH,
                    dir,
                    done -> {
                      if (done > part) {
                        throw new IllegalStateException("stopped");
                      }
                    }))
        .hasMessage("stopped");
    try (Stream<Path> left = Files.walk(dir)) {
      assertThat(left.map(p -> dir.relativize(p).toString()).filter(p -> p.endsWith(".bin")))
          .as("the first part kept, no cache file yet")
          .singleElement()
          .asString()
          .endsWith(".parts/part-0.bin");
    }

    List<Integer> reported = new ArrayList<>();
    LayerCache resumed =
        LayerCache.buildOrLoad(
            backbone, texts, 32, Truncation.KEEP_END, layers, BATCH, dir, reported::add);
    assertThat(reported.get(0)).as("the first part read, not encoded").isEqualTo(part);
    assertThat(reported.get(reported.size() - 1)).isEqualTo(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      assertThat(resumed.states(i)).as("text %d", i).containsExactly(whole.states(i));
    }
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .as("the parts go once the cache is written")
          .singleElement()
          .asString()
          .startsWith("layers-" + layers + "-")
          .endsWith(".bin");
    }
    LayerCache again =
        LayerCache.buildOrLoad(backbone, texts, 32, Truncation.KEEP_END, layers, BATCH, dir, null);
    assertThat(again.states(texts.size() - 1)).containsExactly(whole.states(texts.size() - 1));
  }
}
