package io.adahit.agents.training;

import io.adahit.agents.backbone.AtomicFiles;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.Truncation;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * {@link LayerCache}s kept on disk, one file per list of texts and level, named by a key of the
 * backbone's fingerprint, the level, length, truncation and every text, so that runs on the same
 * data (Ada, AdaHIT base, AdaHIT task, FE) compute the frozen layers once.
 */
final class LayerCacheFiles {

  private LayerCacheFiles() {}

  /**
   * The cache of {@code texts} from {@code dir}, else built there: from the deepest readable cache
   * of the same texts below {@code level} if there is one, else from the token ids; an unreadable
   * file is rebuilt. While it is built, its finished parts are kept beside it ({@link CacheParts}),
   * so a build that stops goes on from there.
   */
  static LayerCache buildOrLoad(
      Backbone backbone,
      List<String> texts,
      int maxLength,
      Truncation truncation,
      int level,
      int batchSize,
      Path dir,
      IntConsumer progress)
      throws IOException {
    Path file = dir.resolve(key(backbone, texts, maxLength, truncation, level) + ".bin");
    CacheParts parts = new CacheParts(dir.resolve(file.getFileName() + ".parts"));
    if (Files.isRegularFile(file)) {
      try {
        LayerCache c = read(backbone, file, texts.size(), level);
        parts.delete(); // left by a build stopped right after writing the cache
        if (progress != null) {
          progress.accept(texts.size());
        }
        return c;
      } catch (IOException e) {
        // a truncated or foreign file: rebuild it below
      }
    }
    LayerCache lower =
        level > 1 ? deepestBelow(backbone, texts, maxLength, truncation, level, dir) : null;
    LayerCache c =
        lower != null
            ? lower.deepen(level, batchSize, progress, parts)
            : LayerCache.build(
                backbone, texts, maxLength, truncation, level, batchSize, progress, parts);
    AtomicFiles.write(file, out -> write(c, out));
    parts.delete();
    return c;
  }

  /** The readable cache of the same texts at the highest level in (0, level), or null. */
  private static LayerCache deepestBelow(
      Backbone backbone,
      List<String> texts,
      int maxLength,
      Truncation truncation,
      int level,
      Path dir) {
    for (int l = level - 1; l > 0; l--) {
      Path f = dir.resolve(key(backbone, texts, maxLength, truncation, l) + ".bin");
      if (Files.isRegularFile(f)) {
        try {
          return read(backbone, f, texts.size(), l);
        } catch (IOException e) {
          // unreadable: try a lower one, else build from scratch
        }
      }
    }
    return null;
  }

  private static String key(
      Backbone backbone, List<String> texts, int maxLength, Truncation truncation, int level) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(
          (backbone.fingerprint()
                  + "|"
                  + level
                  + "|"
                  + maxLength
                  + "|"
                  + truncation
                  + "|"
                  + texts.size())
              .getBytes(StandardCharsets.UTF_8));
      for (String t : texts) {
        md.update(t.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
      }
      return "layers-" + level + "-" + HexFormat.of().formatHex(md.digest()).substring(0, 24);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final int MAGIC = 0x4c43_0001;

  /**
   * Layout: magic, level, count, then per text its id count, ids (int32), state count and states
   * (float32), all big-endian; written and read in bulk through byte buffers.
   */
  private static void write(LayerCache c, OutputStream os) throws IOException {
    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 20));
    out.writeInt(MAGIC);
    out.writeInt(c.level());
    out.writeInt(c.size());
    for (int i = 0; i < c.size(); i++) {
      long[] ids = c.ids(i);
      float[] s = c.level() == 0 ? new float[0] : c.states(i);
      ByteBuffer b = ByteBuffer.allocate(8 + 4 * ids.length + 4 * s.length);
      b.putInt(ids.length);
      for (long id : ids) {
        b.putInt((int) id);
      }
      b.putInt(s.length);
      b.asFloatBuffer().put(s);
      out.write(b.array());
    }
    out.flush();
  }

  private static LayerCache read(Backbone backbone, Path file, int count, int level)
      throws IOException {
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 20))) {
      if (in.readInt() != MAGIC || in.readInt() != level || in.readInt() != count) {
        throw new IOException(file + ": not a layer cache of this data");
      }
      long[][] ids = new long[count][];
      float[][] states = level == 0 ? null : new float[count][];
      byte[] buf = new byte[1 << 16];
      for (int i = 0; i < count; i++) {
        int n = in.readInt();
        buf = fill(in, buf, 4 * n);
        IntBuffer ib = ByteBuffer.wrap(buf, 0, 4 * n).asIntBuffer();
        ids[i] = new long[n];
        for (int j = 0; j < n; j++) {
          ids[i][j] = ib.get(j);
        }
        int m = in.readInt();
        buf = fill(in, buf, 4 * m);
        float[] s = new float[m];
        ByteBuffer.wrap(buf, 0, 4 * m).asFloatBuffer().get(s);
        if (states != null) {
          states[i] = s;
        }
      }
      return new LayerCache(backbone, level, ids, states);
    }
  }

  private static byte[] fill(DataInputStream in, byte[] buf, int bytes) throws IOException {
    byte[] b = buf.length >= bytes ? buf : new byte[bytes];
    in.readFully(b, 0, bytes);
    return b;
  }
}
