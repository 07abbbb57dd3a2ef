package io.adahit.agents.ranker;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The files of one cache key (encoder identity + encode options) in an {@link EmbeddingCache}
 * folder, safe with several writers at once, in one process or many: each writer appends only to
 * its own file, {@code <key>.<writer>.emb}, so no two writers ever interleave bytes in one file;
 * readers take complete records only, so a record still being written, or cut short by a crash, is
 * never read (and nobody appends after it). {@link #refresh} picks up what other writers appended
 * since the last call. When a key has gathered {@link #COMPACT_AT} files, opening it merges the
 * quiet ones (fully read, untouched for {@link #QUIET}) into one file, written under a temporary
 * name and renamed into place, then deletes them; a writer that was still appending to a deleted
 * file loses only cache entries (they are encoded again), never correctness. The single-file layout
 * of earlier versions ({@code <key>.emb}) is read as one more file.
 *
 * <p>Record format: {@code [32-byte text hash][int32 d][d float32]}, little endian. Not
 * thread-safe: {@link EmbeddingCache} serialises calls.
 */
final class EmbeddingFiles {

  static final String SUFFIX = ".emb";

  /** Files of one key from which opening it merges the quiet ones. */
  static final int COMPACT_AT = 8;

  /** A file modified more recently may still be written by a live writer: it is not merged away. */
  static final Duration QUIET = Duration.ofMinutes(1);

  /** A merge's temporary file older than this was left by a crash and is deleted. */
  private static final Duration STALE_TMP = Duration.ofHours(1);

  private static final int MAX_DIM = 65536;
  private static final int HASH_BYTES = 32;

  private final Path dir;
  private final String key;
  private final String writer;
  private final Map<String, float[]> known = new HashMap<>();

  /** Bytes of complete records read so far, per file. */
  private final Map<Path, Long> consumed = new HashMap<>();

  private Path own;
  private int ownSerial;

  private EmbeddingFiles(Path dir, String key, String writer) {
    this.dir = dir;
    this.key = key;
    this.writer = writer;
  }

  /** Reads every file of {@code key}, merging them first when there are many. */
  static EmbeddingFiles open(Path dir, String key, String writer) {
    EmbeddingFiles f = new EmbeddingFiles(dir, key, writer);
    f.refresh();
    f.compactIfCrowded(Instant.now());
    return f;
  }

  /** Text hash (hex) → embedding, everything read or written so far. */
  Map<String, float[]> known() {
    return known;
  }

  /** Reads the records other writers appended since the last call. */
  void refresh() {
    List<Path> files = files();
    Set<Path> present = new HashSet<>(files);
    consumed
        .keySet()
        .removeIf(p -> !present.contains(p) && !p.equals(own)); // merged away by someone
    for (Path f : files) {
      if (f.equals(own)) {
        continue;
      }
      long from = consumed.getOrDefault(f, 0L);
      long size;
      try {
        size = Files.size(f);
      } catch (NoSuchFileException e) {
        continue;
      } catch (IOException e) {
        throw new UncheckedIOException(
            "embedding cache " + f + " cannot be read: " + e.getMessage(), e);
      }
      if (size < from) {
        // shorter than what was read: merged away and re-created under the same name (a writer that
        // merges twice), so it is another file now; records are keyed by text hash, re-reading is
        // safe
        from = 0;
      }
      consumed.put(f, size > from ? read(f, from) : from);
    }
  }

  /** Appends records to this writer's own file (created on first use) and forces them to disk. */
  void append(List<String> keys, float[][] vectors) {
    ByteBuffer buf = records(keys, vectors);
    try {
      if (own == null) {
        Files.createDirectories(dir);
        own = dir.resolve(key + "." + writer + "-" + ownSerial + SUFFIX);
      }
      try (FileChannel ch =
          FileChannel.open(
              own,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.APPEND)) {
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(false);
        consumed.put(own, ch.size());
      }
    } catch (IOException e) {
      Path failed = own;
      own = null; // the file may end in a partial record now: never append after it
      ownSerial++;
      throw new UncheckedIOException(
          "embedding cache "
              + (failed == null ? dir : failed)
              + " cannot be written: "
              + e.getMessage(),
          e);
    }
    for (int i = 0; i < vectors.length; i++) {
      known.put(keys.get(i), vectors[i]);
    }
  }

  /** This key's data files, sorted; none when the folder does not exist yet. */
  List<Path> files() {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(
              p -> {
                String n = p.getFileName().toString();
                return n.startsWith(key + ".") && n.endsWith(SUFFIX);
              })
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "embedding cache folder " + dir + " cannot be listed: " + e.getMessage(), e);
    }
  }

  /** Reads complete records of {@code file} from byte {@code from}; returns where they end. */
  private long read(Path file, long from) {
    long pos = from;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ch.position(from);
      DataInputStream in =
          new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch), 1 << 16));
      byte[] hash = new byte[HASH_BYTES];
      while (true) {
        try {
          in.readFully(hash);
          int d = Integer.reverseBytes(in.readInt());
          if (d <= 0 || d > MAX_DIM) {
            return pos; // not a record: stop here, what follows is encoded again
          }
          byte[] body = new byte[4 * d];
          in.readFully(body);
          float[] v = new float[d];
          ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
          known.put(HexFormat.of().formatHex(hash), v);
          pos += HASH_BYTES + 4 + 4L * d;
        } catch (EOFException e) {
          return pos; // a record still being written, or cut short by a crash
        }
      }
    } catch (NoSuchFileException e) {
      return pos; // merged away meanwhile; its records are in the merged file
    } catch (IOException e) {
      throw new UncheckedIOException(
          "embedding cache " + file + " cannot be read: " + e.getMessage(), e);
    }
  }

  /** Merges the quiet, fully read files into one when this key has {@link #COMPACT_AT} or more. */
  void compactIfCrowded(Instant now) {
    List<Path> files = files();
    if (files.size() < COMPACT_AT) {
      return;
    }
    try {
      List<Path> quiet = new java.util.ArrayList<>();
      for (Path f : files) {
        if (!f.equals(own)
            && consumed.getOrDefault(f, -1L) == Files.size(f)
            && Files.getLastModifiedTime(f).toInstant().isBefore(now.minus(QUIET))) {
          quiet.add(f);
        }
      }
      deleteStaleTemporaries(now);
      if (quiet.size() < 2) {
        return;
      }
      // the merged file holds every entry known here, a superset of what the quiet files hold
      Path merged = dir.resolve(key + "." + writer + "-merged" + SUFFIX);
      Path tmp = Files.createTempFile(dir, "." + key + ".", ".tmp");
      try {
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
          List<String> keys = List.copyOf(known.keySet());
          for (int start = 0; start < keys.size(); start += 1024) {
            List<String> part = keys.subList(start, Math.min(keys.size(), start + 1024));
            out.write(records(part, part.stream().map(known::get).toArray(float[][]::new)).array());
          }
          out.flush();
          ch.force(false);
        }
        try {
          Files.move(tmp, merged, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, merged);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
      consumed.put(merged, Files.size(merged));
      for (Path f : quiet) {
        Files.deleteIfExists(f);
        consumed.remove(f);
      }
    } catch (IOException e) {
      // merging only saves files: the cache stays correct without it
      System.getLogger(EmbeddingFiles.class.getName())
          .log(
              System.Logger.Level.WARNING,
              "embedding cache "
                  + dir
                  + ": could not merge the files of "
                  + key
                  + ": "
                  + e.getMessage());
    }
  }

  private void deleteStaleTemporaries(Instant now) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p :
          s.filter(
                  p ->
                      p.getFileName().toString().startsWith("." + key + ".")
                          && p.getFileName().toString().endsWith(".tmp"))
              .toList()) {
        if (Files.getLastModifiedTime(p).toInstant().isBefore(now.minus(STALE_TMP))) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static ByteBuffer records(List<String> keys, float[][] vectors) {
    int bytes = 0;
    for (float[] v : vectors) {
      bytes += HASH_BYTES + 4 + 4 * v.length;
    }
    ByteBuffer buf = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < vectors.length; i++) {
      buf.put(HexFormat.of().parseHex(keys.get(i)));
      buf.putInt(vectors[i].length);
      for (float f : vectors[i]) {
        buf.putFloat(f);
      }
    }
    buf.flip();
    return buf;
  }
}
