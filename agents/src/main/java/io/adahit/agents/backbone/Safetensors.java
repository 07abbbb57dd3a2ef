package io.adahit.agents.backbone;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reader and writer of the safetensors format (Hugging Face): an 8-byte little-endian header
 * length, a JSON header {@code {name: {dtype, shape, data_offsets}, "__metadata__": {..}}}, then
 * the raw little-endian tensor bytes. Used for Hugging Face backbones and for adapter files.
 *
 * <p>Reading checks every offset and size against the file, so a truncated or corrupt file is
 * refused with a message naming the file and the tensor; F32, F16 and BF16 tensors are read into
 * float32. Writing goes to a temporary file that is moved into place, so an existing file is never
 * left half-written.
 */
public final class Safetensors {

  /** Header length above which a file is taken as corrupt rather than read. */
  private static final long MAX_HEADER_BYTES = 100L << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The tensors of a file, in header order, and its free-form string metadata. */
  public record Contents(Map<String, FloatTensor> tensors, Map<String, String> metadata) {}

  private Safetensors() {}

  /** Reads every tensor of {@code file} as float32. */
  public static Contents read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "safetensors file not found");
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 8) {
        throw corrupt(file, "file is " + size + " bytes, shorter than the 8-byte header length");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, lenBuf, 0);
      long headerLen = lenBuf.flip().getLong();
      if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || 8 + headerLen > size) {
        throw corrupt(
            file,
            "header length "
                + headerLen
                + " does not fit a file of "
                + size
                + " bytes (truncated or not safetensors)");
      }
      ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
      readFully(ch, headerBuf, 8);
      JsonNode header;
      try {
        header = JSON.readTree(new String(headerBuf.array(), StandardCharsets.UTF_8));
      } catch (JsonProcessingException e) {
        throw corrupt(file, "header is not valid JSON: " + e.getOriginalMessage());
      }
      if (header == null || !header.isObject()) {
        throw corrupt(file, "header is not a JSON object");
      }
      long dataStart = 8 + headerLen;
      long dataLen = size - dataStart;
      Map<String, FloatTensor> tensors = new LinkedHashMap<>();
      Map<String, String> metadata = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("__metadata__")) {
          e.getValue()
              .fields()
              .forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
          continue;
        }
        tensors.put(e.getKey(), readTensor(file, ch, e.getKey(), e.getValue(), dataStart, dataLen));
      }
      return new Contents(tensors, metadata);
    }
  }

  private static FloatTensor readTensor(
      Path file, FileChannel ch, String name, JsonNode info, long dataStart, long dataLen)
      throws IOException {
    String dtype = info.path("dtype").asText("");
    int width =
        switch (dtype) {
          case "F32" -> 4;
          case "F16", "BF16" -> 2;
          default ->
              throw corrupt(
                  file,
                  "tensor '"
                      + name
                      + "' has dtype '"
                      + dtype
                      + "'; only F32, F16 and BF16 are supported");
        };
    JsonNode shapeNode = info.path("shape");
    JsonNode offsets = info.path("data_offsets");
    if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
      throw corrupt(file, "tensor '" + name + "' lacks a shape or a [begin, end] data_offsets");
    }
    long[] shape = new long[shapeNode.size()];
    long n = 1;
    for (int i = 0; i < shape.length; i++) {
      shape[i] = shapeNode.get(i).asLong(-1);
      if (shape[i] < 0) {
        throw corrupt(file, "tensor '" + name + "' has a negative or non-integer dimension");
      }
      n *= shape[i];
    }
    long begin = offsets.get(0).asLong(-1);
    long end = offsets.get(1).asLong(-1);
    if (begin < 0 || end < begin || end > dataLen) {
      throw corrupt(
          file,
          "tensor '"
              + name
              + "' spans bytes ["
              + begin
              + ", "
              + end
              + ") but the data section has "
              + dataLen
              + " bytes (truncated?)");
    }
    if (end - begin != n * width) {
      throw corrupt(
          file,
          "tensor '"
              + name
              + "' holds "
              + (end - begin)
              + " bytes, its shape "
              + java.util.Arrays.toString(shape)
              + " of "
              + dtype
              + " needs "
              + n * width);
    }
    if (n > Integer.MAX_VALUE - 8) {
      throw corrupt(file, "tensor '" + name + "' has " + n + " elements, too many for one array");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, buf, dataStart + begin);
    buf.flip();
    float[] data = new float[(int) n];
    if (width == 4) {
      buf.asFloatBuffer().get(data);
    } else if (dtype.equals("BF16")) {
      for (int i = 0; i < n; i++) {
        data[i] = Float.intBitsToFloat((buf.getShort() & 0xffff) << 16);
      }
    } else {
      for (int i = 0; i < n; i++) {
        data[i] = halfToFloat(buf.getShort());
      }
    }
    return new FloatTensor(name, shape, data);
  }

  /** Writes tensors as F32 with string metadata, atomically: a crash leaves the old file intact. */
  public static void write(Path file, Collection<FloatTensor> tensors, Map<String, String> metadata)
      throws IOException {
    ObjectNode header = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = header.putObject("__metadata__");
      metadata.forEach(meta::put);
    }
    long offset = 0;
    for (FloatTensor t : tensors) {
      ObjectNode info = header.putObject(t.name());
      info.put("dtype", "F32");
      ArrayNode shape = info.putArray("shape");
      for (long d : t.shape()) {
        shape.add(d);
      }
      long bytes = 4L * t.size();
      info.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8; // spaces keep the data 8-byte aligned
    byte[] headerBytes = new byte[padded];
    System.arraycopy(json, 0, headerBytes, 0, json.length);
    for (int i = json.length; i < padded; i++) {
      headerBytes[i] = ' ';
    }
    AtomicFiles.write(
        file,
        out -> {
          ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
          out.write(len.array());
          out.write(headerBytes);
          ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
          for (FloatTensor t : tensors) {
            for (float v : t.data()) {
              if (buf.remaining() < 4) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
              }
              buf.putFloat(v);
            }
          }
          out.write(buf.array(), 0, buf.position());
        });
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int r = ch.read(buf, pos);
      if (r < 0) {
        throw new IOException("unexpected end of file at byte " + pos);
      }
      pos += r;
    }
  }

  /** IEEE 754 binary16 to float32 (Float.float16ToFloat arrived only in Java 20). */
  static float halfToFloat(short half) {
    int h = half & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13)); // inf or NaN
    }
    if (exp == 0) {
      float v = mant * 0x1p-24f; // zero or subnormal
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  private static IOException corrupt(Path file, String what) {
    return new IOException("safetensors file " + file + ": " + what);
  }
}
