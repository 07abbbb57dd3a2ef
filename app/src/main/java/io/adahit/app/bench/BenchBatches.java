package io.adahit.app.bench;

import io.adahit.agents.backbone.BackboneTokenizer;
import io.adahit.agents.backbone.TokenBatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Benchmark input made from real dialogue: the utterances of the official ConvAI2 valid file, in
 * order, tokenized and cut into sentences of exactly {@code tokens} word pieces ([CLS] and [SEP]
 * included), so every engine sees identical, unpadded batches.
 */
public final class BenchBatches {

  /** The file the sentences come from, relative to the data folder. */
  public static final String SOURCE = "convai2/valid_self_original_no_cands.txt";

  private BenchBatches() {}

  public static List<TokenBatch> make(
      Path dataDir, BackboneTokenizer tok, int count, int batchSize, int tokens)
      throws IOException {
    Path file = dataDir.resolve(SOURCE);
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(
          file.toString(),
          null,
          "benchmark sentences come from the ConvAI2 valid file; pass --datapath pointing at shared/data");
    }
    int body = tokens - 2;
    List<long[]> rows = new ArrayList<>();
    long[] piece = new long[body];
    int filled = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String text = line.substring(line.indexOf(' ') + 1).replace('\t', ' ');
      long[] ids = tok.ids(text);
      for (int i = 1; i < ids.length - 1 && rows.size() < count * batchSize; i++) {
        piece[filled++] = ids[i];
        if (filled == body) {
          long[] row = new long[tokens];
          row[0] = tok.clsId();
          System.arraycopy(piece, 0, row, 1, body);
          row[tokens - 1] = tok.sepId();
          rows.add(row);
          filled = 0;
        }
      }
      if (rows.size() >= count * batchSize) {
        break;
      }
    }
    if (rows.size() < count * batchSize) {
      throw new IllegalArgumentException(
          "benchmark: "
              + file
              + " yields only "
              + rows.size()
              + " sentences of "
              + tokens
              + " pieces, "
              + count * batchSize
              + " needed");
    }
    List<TokenBatch> batches = new ArrayList<>();
    for (int b = 0; b < count; b++) {
      batches.add(tok.pad(rows.subList(b * batchSize, (b + 1) * batchSize).toArray(long[][]::new)));
    }
    return batches;
  }

  /** Median of a sample. */
  public static double median(List<Double> xs) {
    double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    int n = a.length;
    return n % 2 == 1 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
  }
}
