package io.adahit.agents.ranker;

import static org.assertj.core.api.Assertions.assertThat;

import io.adahit.agents.backbone.EncodeOptions;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingCacheTest {

  @TempDir Path dir;

  private final List<String> encoded = new ArrayList<>();
  private final TextEncoder lengths =
      (texts, opts) -> {
        encoded.addAll(texts);
        return texts.stream()
            .map(t -> new float[] {t.length(), opts.maxLength()})
            .toArray(float[][]::new);
      };

  @Test
  void aSecondRunOverTheSameTextsEncodesNothing() {
    EmbeddingCache first = new EmbeddingCache(lengths, "enc-1", dir);
    float[][] a = first.encode(List.of("hello", "hi", "hello"), EncodeOptions.defaults());
    assertThat(encoded).containsExactly("hello", "hi");
    assertThat(a[2]).isEqualTo(a[0]);

    EmbeddingCache second = new EmbeddingCache(lengths, "enc-1", dir);
    float[][] b = second.encode(List.of("hi", "hello"), EncodeOptions.defaults());
    assertThat(encoded).as("nothing re-encoded").containsExactly("hello", "hi");
    assertThat(b[0]).containsExactly(2, 256);
    assertThat(second.hits()).isEqualTo(2);
    assertThat(second.misses()).isZero();
  }

  @Test
  void missingNamesTheDistinctTextsNotCachedYetAndEncodesNothing() {
    new EmbeddingCache(lengths, "enc-1", dir).encode(List.of("hello"), EncodeOptions.defaults());
    encoded.clear();
    EmbeddingCache cache = new EmbeddingCache(lengths, "enc-1", dir);
    assertThat(cache.missing(List.of("hi", "hello", "hey", "hi"), EncodeOptions.defaults()))
        .containsExactly("hi", "hey");
    assertThat(cache.missing(List.of("hello"), EncodeOptions.defaults().withMaxLength(32)))
        .containsExactly("hello");
    assertThat(encoded).as("counting encodes nothing").isEmpty();
    cache.encode(List.of("hi", "hey"), EncodeOptions.defaults());
    assertThat(cache.missing(List.of("hi", "hello", "hey"), EncodeOptions.defaults())).isEmpty();
  }

  @Test
  void anotherEncoderIdentityOrOptionsNeverSeesTheseEntries() {
    new EmbeddingCache(lengths, "enc-1", dir).encode(List.of("hello"), EncodeOptions.defaults());
    new EmbeddingCache(lengths, "enc-2", dir).encode(List.of("hello"), EncodeOptions.defaults());
    new EmbeddingCache(lengths, "enc-1", dir)
        .encode(List.of("hello"), EncodeOptions.defaults().withMaxLength(32));
    assertThat(encoded).containsExactly("hello", "hello", "hello");
  }

  @Test
  void aRecordCutShortByACrashIsDroppedAndReEncoded() throws Exception {
    new EmbeddingCache(lengths, "enc-1", dir)
        .encode(List.of("hello", "hi"), EncodeOptions.defaults());
    Path file;
    try (Stream<Path> files = Files.list(dir)) {
      file = files.findFirst().orElseThrow();
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 3);
    }
    encoded.clear();
    float[][] again =
        new EmbeddingCache(lengths, "enc-1", dir)
            .encode(List.of("hello", "hi"), EncodeOptions.defaults());
    assertThat(encoded).containsExactly("hi");
    assertThat(again[1]).containsExactly(2, 256);
  }
}
