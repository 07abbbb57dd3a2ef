package io.adahit.agents.backbone;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.adahit.agents.backbone.onnx.OnnxSubset.GraphProto;
import io.adahit.agents.backbone.onnx.OnnxSubset.ModelProto;
import io.adahit.agents.backbone.onnx.OnnxSubset.NodeProto;
import io.adahit.agents.backbone.onnx.OnnxSubset.TensorProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads BERT parameters out of an ONNX export of a Hugging Face {@code BertModel} (such as
 * all-minilm-l6-v2.onnx): the named initializers carry embeddings, biases and LayerNorms; the
 * anonymous {@code onnx::MatMul_N} initializers are the linear weights, identified by the node that
 * consumes them ({@code /encoder/layer.0/attention/self/query/MatMul} → {@code
 * encoder.layer.0.attention.self.query.weight}) and stored [in, out], so they are transposed to
 * PyTorch's [out, in].
 *
 * <pre>{@code
 * BertWeights w = OnnxWeightsReader.read(Path.of("model.onnx"), BertConfig.miniLmL6());
 * }</pre>
 */
public final class OnnxWeightsReader {

  private static final int ONNX_FLOAT = 1;

  private OnnxWeightsReader() {}

  /** Reads and checks the weights of an ONNX file against {@code config}. */
  public static BertWeights read(Path file, BertConfig config) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "backbone ONNX weights file not found");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, config, file.toString());
    }
  }

  /**
   * Reads and checks the weights of an ONNX model from a stream.
   *
   * @param source names the stream in error messages (a path or a resource name)
   * @throws IOException when the stream is not a complete ONNX model or lacks a parameter; the
   *     message names the source and the problem
   */
  public static BertWeights read(InputStream in, BertConfig config, String source)
      throws IOException {
    ModelProto model;
    try {
      CodedInputStream cis = CodedInputStream.newInstance(in);
      cis.setSizeLimit(Integer.MAX_VALUE);
      model = ModelProto.parseFrom(cis);
    } catch (InvalidProtocolBufferException e) {
      throw new IOException(
          "backbone ONNX file "
              + source
              + " is not a complete ONNX model (truncated or corrupt): "
              + e.getMessage(),
          e);
    }
    if (!model.hasGraph() || model.getGraph().getInitializerCount() == 0) {
      throw new IOException(
          "backbone ONNX file "
              + source
              + " has no graph initializers"
              + " (is it an ONNX model with embedded weights?)");
    }
    GraphProto graph = model.getGraph();
    Map<String, String> matMulOwner = new HashMap<>();
    for (NodeProto node : graph.getNodeList()) {
      if (node.getOpType().equals("MatMul") && node.getInputCount() == 2) {
        matMulOwner.put(node.getInput(1), node.getName());
      }
    }
    Map<String, FloatTensor> found = new LinkedHashMap<>();
    for (TensorProto t : graph.getInitializerList()) {
      if (t.getDataType() != ONNX_FLOAT) {
        continue; // int64 buffers such as position_ids are not parameters
      }
      String owner = matMulOwner.get(t.getName());
      if (owner != null && owner.endsWith("/MatMul")) {
        String name =
            owner
                    .substring(owner.startsWith("/") ? 1 : 0, owner.length() - "/MatMul".length())
                    .replace('/', '.')
                + ".weight";
        found.put(BertWeights.canonicalName(name), toTensor(t, source).transpose2d(name));
      } else {
        String name = BertWeights.canonicalName(t.getName());
        found.put(name, toTensor(t, source).rename(name));
      }
    }
    try {
      return new BertWeights(config, found);
    } catch (IllegalArgumentException e) {
      throw new IOException(source + ": " + e.getMessage(), e);
    }
  }

  /** A tensor whose data ({@code holds}, with its unit) does not fit its shape's {@code needs}. */
  private static IOException wrongSize(String source, TensorProto t, String holds, long needs) {
    return new IOException(
        "backbone ONNX file "
            + source
            + ": tensor '"
            + t.getName()
            + "' holds "
            + holds
            + ", its shape needs "
            + needs);
  }

  private static FloatTensor toTensor(TensorProto t, String source) throws IOException {
    long[] shape = new long[t.getDimsCount()];
    long n = 1;
    for (int i = 0; i < shape.length; i++) {
      shape[i] = t.getDims(i);
      n *= shape[i];
    }
    float[] data;
    if (t.hasRawData()) {
      ByteString raw = t.getRawData();
      if (raw.size() != n * 4) {
        throw wrongSize(source, t, raw.size() + " bytes", n * 4);
      }
      FloatBuffer fb = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      data = new float[(int) n];
      fb.get(data);
    } else {
      if (t.getFloatDataCount() != n) {
        throw wrongSize(source, t, t.getFloatDataCount() + " floats", n);
      }
      data = new float[(int) n];
      for (int i = 0; i < n; i++) {
        data[i] = t.getFloatData(i);
      }
    }
    return new FloatTensor(t.getName(), shape, data);
  }
}
