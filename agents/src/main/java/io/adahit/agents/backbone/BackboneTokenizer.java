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
      throw new IllegalArgumentException(
          "tokenizer: expected [CLS] [SEP] around an empty text, found "
              + empty.length
              + " special tokens");
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
    Map<String, String> options =
        Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false");
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
   * Encodes a batch: each text becomes {@code [CLS] pieces [SEP]}, cut to {@code maxLength} pieces
   * (special tokens included) from the side {@code truncation} drops, then padded to the longest
   * row. Over-long text is truncated, never an error. An empty list gives an empty batch.
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
    // a long text is first cut to a window of characters on its kept side, at a word boundary, so a
    // megabyte of text costs what its window costs; the window grows until it holds enough pieces
    long[][] rows = new long[texts.size()][];
    int[] window = new int[texts.size()];
    List<Integer> todo = new java.util.ArrayList<>();
    for (int i = 0; i < rows.length; i++) {
      window[i] = Math.max(64, maxLength * CHARS_PER_PIECE);
      todo.add(i);
    }
    while (!todo.isEmpty()) {
      String[] cut = new String[todo.size()];
      for (int k = 0; k < cut.length; k++) {
        int i = todo.get(k);
        cut[k] = window(texts.get(i), window[i], truncation);
      }
      Encoding[] enc = tokenizer.batchEncode(cut, true, false);
      List<Integer> again = new java.util.ArrayList<>();
      for (int k = 0; k < cut.length; k++) {
        int i = todo.get(k);
        long[] ids = enc[k].getIds();
        if (cut[k].length() < texts.get(i).length() && ids.length < maxLength) {
          window[i] *= 4; // too few pieces in the window to be sure of the kept ones: widen it
          again.add(i);
        } else {
          rows[i] = truncate(ids, maxLength, truncation);
        }
      }
      todo = again;
    }
    return rows;
  }

  /**
   * Characters tried per word piece before tokenizing a long text: a window of {@code maxLength *
   * CHARS_PER_PIECE} characters on the kept side.
   */
  static final int CHARS_PER_PIECE = 8;

  /**
   * The part of {@code text} the tokenizer needs to see when at most {@code chars} characters on
   * the {@code kept} side are enough: the text itself if short, else that many characters less the
   * partial word at the cut (BERT splits words on whitespace, so the pieces of the words kept are
   * those of the whole text). Without whitespace in the window the whole text is returned.
   */
  static String window(String text, int chars, Truncation kept) {
    if (text.length() <= chars) {
      return text;
    }
    if (kept == Truncation.KEEP_END) {
      for (int i = text.length() - chars; i < text.length(); i++) {
        if (isSpace(text.charAt(i))) {
          return text.substring(i + 1);
        }
      }
    } else {
      for (int i = chars; i > 0; i--) {
        if (isSpace(text.charAt(i))) {
          return text.substring(0, i);
        }
      }
    }
    return text;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\n' || c == '\t' || c == '\r';
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
