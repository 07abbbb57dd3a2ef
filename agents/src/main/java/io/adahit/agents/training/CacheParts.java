package io.adahit.agents.training;

import io.adahit.agents.backbone.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The finished parts of a {@link LayerCache} that is being built, each kept on disk as soon as it
 * is done, so that a build that stops (a session ends, the machine restarts) goes on from its last
 * finished part instead of from the start: FE's cache of convai2's 75,238 texts takes about an hour
 * on 2 cores. Part {@code p} holds the states of positions {@code [p × size, (p + 1) × size)} of
 * the build's order (longest text first, a function of the texts alone); its header records its
 * first position, the part size and the number of texts, and a part whose header differs (a build
 * with another batch size) is encoded again. The folder goes once the whole cache is written.
 */
final class CacheParts {

  /** Batches per part: a part of 32-text batches is 2,048 texts, about a minute of encoding. */
  static final int BATCHES_PER_PART = 64;

  private static final int MAGIC = 0x4c43_5031;

  private final Path dir;

  /**
   * @param dir where the parts are kept (created on the first save)
   */
  CacheParts(Path dir) {
    this.dir = dir;
  }

  /** Texts per part for batches of {@code batchSize}. */
  static int textsPerPart(int batchSize) {
    return batchSize * BATCHES_PER_PART;
  }

  /**
   * The states of positions {@code [from, from + count)} kept as part {@code part} of a build of
   * {@code total} texts in parts of {@code size}, or null if that part is not on disk as such.
   */
  float[][] load(int part, int from, int count, int size, int total) {
    Path f = file(part);
    if (!Files.isRegularFile(f)) {
      return null;
    }
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(f), 1 << 20))) {
      if (in.readInt() != MAGIC
          || in.readInt() != from
          || in.readInt() != size
          || in.readInt() != total
          || in.readInt() != count) {
        return null;
      }
      float[][] states = new float[count][];
      for (int i = 0; i < count; i++) {
        byte[] b = new byte[4 * in.readInt()];
        in.readFully(b);
        states[i] = new float[b.length / 4];
        ByteBuffer.wrap(b).asFloatBuffer().get(states[i]);
      }
      return states;
    } catch (IOException | RuntimeException e) {
      return null; // a part cut short or damaged: encoded again
    }
  }

  /**
   * Keeps part {@code part}, positions {@code [from, from + states.length)} (whole or not at all).
   */
  void save(int part, int from, int size, int total, float[][] states) {
    try {
      Files.createDirectories(dir);
      AtomicFiles.write(
          file(part),
          os -> {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 20));
            out.writeInt(MAGIC);
            out.writeInt(from);
            out.writeInt(size);
            out.writeInt(total);
            out.writeInt(states.length);
            for (float[] s : states) {
              ByteBuffer b = ByteBuffer.allocate(4 + 4 * s.length);
              b.putInt(s.length);
              b.asFloatBuffer().put(s);
              out.write(b.array());
            }
            out.flush();
          });
    } catch (IOException e) {
      throw new UncheckedIOException("layer cache: cannot keep part " + part + " in " + dir, e);
    }
  }

  /**
   * Removes the parts and their folder, if there; a failure leaves them (they cost disk only, and
   * the next build over the same texts reads the whole cache first).
   */
  void delete() {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
      Files.delete(dir);
    } catch (IOException e) {
      // left for the next build to remove
    }
  }

  private Path file(int part) {
    return dir.resolve("part-" + part + ".bin");
  }
}
