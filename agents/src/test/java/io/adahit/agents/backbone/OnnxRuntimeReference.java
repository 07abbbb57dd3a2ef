package io.adahit.agents.backbone;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.LongBuffer;
import java.util.Map;

/**
 * ONNX Runtime on the same ONNX file as an embedded backbone (default all-minilm-l6-v2.onnx): the
 * parity reference.
 */
final class OnnxRuntimeReference implements AutoCloseable {

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;

  OnnxRuntimeReference() throws Exception {
    this(EmbeddedBackbone.defaultBackbone());
  }

  OnnxRuntimeReference(EmbeddedBackbone which) throws Exception {
    OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
    opts.setIntraOpNumThreads(2);
    session = env.createSession(which.onnxBytes(), opts);
  }

  /** last_hidden_state, [batch][seq][d], for a padded batch. */
  float[][][] lastHiddenState(TokenBatch b) throws OrtException {
    long[] shape = {b.batchSize(), b.seqLen()};
    try (OnnxTensor ids = OnnxTensor.createTensor(env, LongBuffer.wrap(b.ids()), shape);
        OnnxTensor mask = OnnxTensor.createTensor(env, LongBuffer.wrap(b.attentionMask()), shape);
        OnnxTensor types =
            OnnxTensor.createTensor(env, LongBuffer.wrap(new long[b.ids().length]), shape);
        OrtSession.Result r =
            session.run(
                Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types))) {
      return (float[][][]) r.get(0).getValue();
    }
  }

  @Override
  public void close() throws Exception {
    session.close();
  }
}
