package io.adahit.agents.backbone;

import java.util.Arrays;

/**
 * A named float32 tensor in host memory, row-major: the exchange format between weight files (ONNX,
 * safetensors) and the engine.
 *
 * @param name parameter name, e.g. {@code encoder.layer.0.attention.self.query.weight}
 * @param shape dimensions, outermost first
 * @param data values, row-major; length = product of shape
 */
public record FloatTensor(String name, long[] shape, float[] data) {

  public FloatTensor {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException(
            "tensor '" + name + "': negative dimension in shape " + Arrays.toString(shape));
      }
      n *= d;
    }
    if (n != data.length) {
      throw new IllegalArgumentException(
          "tensor '"
              + name
              + "': shape "
              + Arrays.toString(shape)
              + " needs "
              + n
              + " values, found "
              + data.length);
    }
    shape = shape.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Number of elements. */
  public int size() {
    return data.length;
  }

  /** Same values under another name. */
  public FloatTensor rename(String newName) {
    return new FloatTensor(newName, shape, data);
  }

  /**
   * Transpose of a 2-D tensor ([r, c] to [c, r]), e.g. ONNX's [in, out] MatMul weights to [out,
   * in].
   */
  public FloatTensor transpose2d(String newName) {
    if (shape.length != 2) {
      throw new IllegalArgumentException(
          "tensor '" + name + "': transpose needs 2 dimensions, found " + Arrays.toString(shape));
    }
    int r = (int) shape[0];
    int c = (int) shape[1];
    float[] t = new float[data.length];
    for (int i = 0; i < r; i++) {
      for (int j = 0; j < c; j++) {
        t[j * r + i] = data[i * c + j];
      }
    }
    return new FloatTensor(newName, new long[] {c, r}, t);
  }

  /**
   * SHA-256 over names, shapes and float bits of {@code tensors}, in name order ({@code
   * "sha256:<hex>"}): the same for the same weights whatever file format or order they came in.
   * Backbones and adapters are identified by it.
   */
  public static String fingerprint(java.util.Collection<FloatTensor> tensors) {
    java.security.MessageDigest md;
    try {
      md = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    java.util.List<FloatTensor> sorted = new java.util.ArrayList<>(tensors);
    sorted.sort(java.util.Comparator.comparing(FloatTensor::name));
    java.nio.ByteBuffer buf =
        java.nio.ByteBuffer.allocate(1 << 16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (FloatTensor t : sorted) {
      md.update(t.name().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      md.update(Arrays.toString(t.shape).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      float[] d = t.data;
      for (int i = 0; i < d.length; ) {
        buf.clear();
        while (i < d.length && buf.remaining() >= 4) {
          buf.putFloat(d[i++]);
        }
        md.update(buf.array(), 0, buf.position());
      }
    }
    return "sha256:" + java.util.HexFormat.of().formatHex(md.digest());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FloatTensor t
        && name.equals(t.name)
        && Arrays.equals(shape, t.shape)
        && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * name.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "FloatTensor[" + name + " " + Arrays.toString(shape) + "]";
  }
}
