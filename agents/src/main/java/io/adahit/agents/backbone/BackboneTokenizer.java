package io.adahit.agents.backbone;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The backbone's WordPiece tokenizer: a Hugging Face {@code tokenizer.json} run by DJL's native
 * tokenizers library (loaded from bytes, so nothing is fetched), with our own truncation and
 * padding so both are explicit (the MiniLM tokenizer.json silently pads and truncates to 128).
 *
 * <pre>{@code
 * try (BackboneTokenizer tok = BackboneTokenizer.fromJson(bytes, "tokenizer.json")) {
 *   TokenBatch b = tok.encode(List.of("your persona: i like to ski."), 256, Truncation.KEEP_END);
 * }
 * }</pre>
 *
 * <p>Thread-safe: the native tokenizer is immutable once built.
 */
public final class BackboneTokenizer implements AutoCloseable {

  private final HuggingFaceTokenizer tokenizer;
  private final long clsId;
  private final long sepId;
  private final long padId;

  private BackboneTokenizer(HuggingFaceTokenizer tokenizer, long padId) {
    this.tokenizer = tokenizer;
    long[] empty = tokenizer.encode("", true, false).getIds();
    if (empty.length != 2) {
      throw new IllegalArgumentException("tokenizer: expected [CLS] [SEP] around an empty text, found "
          + empty.length + " special tokens");
    }
    this.clsId = empty[0];
    this.sepId = empty[1];
    this.padId = padId;
  }

  /** Builds a tokenizer from the bytes of a Hugging Face {@code tokenizer.json}. */
  public static BackboneTokenizer fromJson(byte[] tokenizerJson, String source) throws IOException {
    long pad;
    try {
      JsonNode root = new ObjectMapper().readTree(tokenizerJson);
      JsonNode padding = root.path("padding").path("pad_id");
      JsonNode vocabPad = root.path("model").path("vocab").path("[PAD]");
      pad = padding.isNumber() ? padding.asLong() : vocabPad.isNumber() ? vocabPad.asLong() : 0;
    } catch (IOException e) {
      throw new IOException("tokenizer " + source + " is not valid JSON: " + e.getMessage(), e);
    }
    Map<String, String> options = Map.of(
        "addSpecialTokens", "true", "truncation", "false", "padding", "false");
    try {
      return new BackboneTokenizer(
          HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerJson), options), pad);
    } catch (RuntimeException e) {
      throw new IOException("tokenizer " + source + " cannot be loaded: " + e.getMessage(), e);
    }
  }

  /** Builds a tokenizer from a {@code tokenizer.json} file. */
  public static BackboneTokenizer fromFile(Path tokenizerJson) throws IOException {
    if (!Files.isRegularFile(tokenizerJson)) {
      throw new NoSuchFileException(tokenizerJson.toString(), null, "tokenizer file not found");
    }
    return fromJson(Files.readAllBytes(tokenizerJson), tokenizerJson.toString());
  }

  /** Ids of one text with [CLS] and [SEP], untruncated. */
  public long[] ids(String text) {
    return tokenizer.encode(text, true, false).getIds();
  }

  /** Word pieces of one text, without special tokens. */
  public List<String> tokens(String text) {
    return tokenizer.tokenize(text);
  }

  /**
   * Encodes a batch: each text becomes {@code [CLS] pieces [SEP]}, cut to {@code maxLength}
   * pieces (special tokens included) from the side {@code truncation} drops, then padded to the
   * longest row. Over-long text is truncated, never an error. An empty list gives an empty batch.
   *
   * @throws IllegalArgumentException if maxLength &lt; 2 or a text is null
   */
  public TokenBatch encode(List<String> texts, int maxLength, Truncation truncation) {
    return pad(encodeRows(texts, maxLength, truncation));
  }

  /** Like {@link #encode} but unpadded: one id array per text. */
  public long[][] encodeRows(List<String> texts, int maxLength, Truncation truncation) {
    if (maxLength < 2) {
      throw new IllegalArgumentException(
          "tokenizer: max length must be >= 2 (room for [CLS] and [SEP]), found " + maxLength);
    }
    for (int i = 0; i < texts.size(); i++) {
      if (texts.get(i) == null) {
        throw new IllegalArgumentException("tokenizer: text " + i + " of the batch is null");
      }
    }
    if (texts.isEmpty()) {
      return new long[0][];
    }
    Encoding[] enc = tokenizer.batchEncode(texts.toArray(String[]::new), true, false);
    long[][] rows = new long[enc.length][];
    for (int i = 0; i < enc.length; i++) {
      rows[i] = truncate(enc[i].getIds(), maxLength, truncation);
    }
    return rows;
  }

  /** Pads id rows to the longest one with the pad id; mask 1 on real tokens. */
  public TokenBatch pad(long[]... rows) {
    int seqLen = 0;
    for (long[] r : rows) {
      seqLen = Math.max(seqLen, r.length);
    }
    long[] ids = new long[rows.length * seqLen];
    long[] mask = new long[ids.length];
    int[] lengths = new int[rows.length];
    for (int i = 0; i < rows.length; i++) {
      int off = i * seqLen;
      System.arraycopy(rows[i], 0, ids, off, rows[i].length);
      for (int j = 0; j < seqLen; j++) {
        if (j < rows[i].length) {
          mask[off + j] = 1;
        } else {
          ids[off + j] = padId;
        }
      }
      lengths[i] = rows[i].length;
    }
    return new TokenBatch(rows.length, seqLen, ids, mask, lengths);
  }

  private long[] truncate(long[] ids, int maxLength, Truncation side) {
    if (ids.length <= maxLength) {
      return ids;
    }
    long[] out = new long[maxLength];
    int body = maxLength - 2;
    out[0] = clsId;
    out[maxLength - 1] = sepId;
    // ids = [CLS] p_1 .. p_n [SEP]; keep body pieces from the start or the end of p
    int from = side == Truncation.KEEP_START ? 1 : ids.length - 1 - body;
    System.arraycopy(ids, from, out, 1, body);
    return out;
  }

  public long clsId() {
    return clsId;
  }

  public long sepId() {
    return sepId;
  }

  public long padId() {
    return padId;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
