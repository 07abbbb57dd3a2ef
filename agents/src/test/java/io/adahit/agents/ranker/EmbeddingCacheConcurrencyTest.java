package io.adahit.agents.ranker;

import static org.assertj.core.api.Assertions.assertThat;

import io.adahit.agents.backbone.EncodeOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several writers on one cache folder (threads with their own instances, and separate JVMs) never
 * corrupt it: afterwards a fresh instance reads every embedding back, right, and encodes nothing.
 */
class EmbeddingCacheConcurrencyTest {

  private static final int N = 600;

  @TempDir Path dir;

  /** A fresh reader: every text cached, with the value its writers computed. */
  private void assertEveryTextCachedCorrectly(int n) {
    List<String> encodedNow = new ArrayList<>();
    EmbeddingCache reader =
        new EmbeddingCache(
            (texts, opts) -> {
              encodedNow.addAll(texts);
              return CacheWriterProcess.ENCODER.encode(texts, opts);
            },
            "enc-1",
            dir);
    List<String> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(CacheWriterProcess.text(i));
    }
    float[][] got = reader.encode(all, EncodeOptions.defaults());
    assertThat(encodedNow).as("texts missing from the cache").isEmpty();
    for (int i = 0; i < n; i++) {
      assertThat(got[i]).as(all.get(i)).containsExactly(CacheWriterProcess.expected(all.get(i)));
    }
  }

  @Test
  void twoInstancesWritingFromTwoThreadsAtOnceLeaveEveryEntryReadable() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<EmbeddingCache> a = pool.submit(() -> CacheWriterProcess.write(dir, "enc-1", N, 1));
      Future<EmbeddingCache> b = pool.submit(() -> CacheWriterProcess.write(dir, "enc-1", N, 2));
      EmbeddingCache ca = a.get(2, TimeUnit.MINUTES);
      EmbeddingCache cb = b.get(2, TimeUnit.MINUTES);
      assertThat(ca.misses() + ca.hits()).isEqualTo(N);
      assertThat(ca.misses() + cb.misses())
          .as("each text encoded at most once per writer")
          .isBetween((long) N, 2L * N);
    } finally {
      pool.shutdownNow();
    }
    assertEveryTextCachedCorrectly(N);
  }

  @Test
  void twoProcessesWritingAtOnceLeaveEveryEntryReadable() throws Exception {
    List<Process> children = new ArrayList<>();
    for (long seed : new long[] {11, 12}) {
      children.add(
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  CacheWriterProcess.class.getName(),
                  dir.toString(),
                  "enc-1",
                  String.valueOf(N),
                  String.valueOf(seed))
              .redirectErrorStream(true)
              .start());
    }
    for (Process p : children) {
      assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("writer process finished").isTrue();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(out).isZero();
      assertThat(out).contains("encoded ");
    }
    assertEveryTextCachedCorrectly(N);
  }

  @Test
  void aPartialRecordLeftByACrashedWriterDoesNotSpoilLaterWrites() throws IOException {
    // an earlier version's single file whose writer died in the middle of its third record
    String key = EmbeddingCache.sha256("enc-1\n" + EncodeOptions.defaults().withBatchSize(1));
    ByteBuffer buf = ByteBuffer.allocate(3 * (32 + 4 + 32)).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 3; i++) {
      String t = CacheWriterProcess.text(i);
      buf.put(HexFormat.of().parseHex(EmbeddingCache.sha256(t)));
      buf.putInt(8);
      for (float f : CacheWriterProcess.expected(t)) {
        buf.putFloat(f);
      }
    }
    Files.createDirectories(dir);
    Files.write(dir.resolve(key + ".emb"), java.util.Arrays.copyOf(buf.array(), 2 * 68 + 30));

    List<String> encoded = new ArrayList<>();
    EmbeddingCache next =
        new EmbeddingCache(
            (texts, opts) -> {
              encoded.addAll(texts);
              return CacheWriterProcess.ENCODER.encode(texts, opts);
            },
            "enc-1",
            dir);
    next.encode(
        List.of(CacheWriterProcess.text(0), CacheWriterProcess.text(2), CacheWriterProcess.text(3)),
        EncodeOptions.defaults());
    assertThat(encoded).containsExactly(CacheWriterProcess.text(2), CacheWriterProcess.text(3));
    assertEveryTextCachedCorrectly(4);
  }

  /** Records of {@link CacheWriterProcess#text} {@code from..to-1}, in the cache's file format. */
  private static byte[] records(int from, int to) {
    ByteBuffer buf =
        ByteBuffer.allocate((to - from) * (32 + 4 + 32)).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = from; i < to; i++) {
      String t = CacheWriterProcess.text(i);
      buf.put(HexFormat.of().parseHex(EmbeddingCache.sha256(t)));
      buf.putInt(8);
      for (float f : CacheWriterProcess.expected(t)) {
        buf.putFloat(f);
      }
    }
    return buf.array();
  }

  @Test
  void aFileMergedAwayAndReCreatedShorterUnderItsNameIsReadAgainFromItsStart() throws IOException {
    Files.createDirectories(dir);
    Path merged = dir.resolve("k.other-merged" + EmbeddingFiles.SUFFIX);
    Files.write(merged, records(0, 5));
    EmbeddingFiles reader = EmbeddingFiles.open(dir, "k", "reader");
    assertThat(reader.known()).hasSize(5);

    Files.delete(
        merged); // the other writer merged it away, then merged again: same name, fewer bytes
    Files.write(merged, records(5, 7));
    reader.refresh();

    assertThat(reader.known())
        .as("the new file's records")
        .containsKeys(
            EmbeddingCache.sha256(CacheWriterProcess.text(5)),
            EmbeddingCache.sha256(CacheWriterProcess.text(6)));
    assertThat(reader.known().get(EmbeddingCache.sha256(CacheWriterProcess.text(6))))
        .containsExactly(CacheWriterProcess.expected(CacheWriterProcess.text(6)));
  }

  @Test
  void manyQuietFilesAreMergedIntoOneWhenTheKeyIsOpened() throws IOException {
    for (int i = 0; i < EmbeddingFiles.COMPACT_AT; i++) {
      new EmbeddingCache(CacheWriterProcess.ENCODER, "enc-1", dir)
          .encode(List.of(CacheWriterProcess.text(i)), EncodeOptions.defaults());
    }
    List<Path> before;
    try (var s = Files.list(dir)) {
      before = s.toList();
    }
    assertThat(before).hasSize(EmbeddingFiles.COMPACT_AT);
    FileTime old = FileTime.from(Instant.now().minus(EmbeddingFiles.QUIET).minusSeconds(5));
    for (Path p : before) {
      Files.setLastModifiedTime(p, old);
    }
    assertEveryTextCachedCorrectly(EmbeddingFiles.COMPACT_AT); // opens the key: merges
    try (var s = Files.list(dir)) {
      List<String> names = s.map(p -> p.getFileName().toString()).toList();
      assertThat(names).hasSize(1);
      assertThat(names.get(0)).endsWith("-merged.emb");
    }
    assertEveryTextCachedCorrectly(EmbeddingFiles.COMPACT_AT);
  }
}
