package io.adahit.app.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.adahit.agents.backbone.TokenBatch;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Map;

/**
 * ONNX Runtime on the same ONNX file as the backbone, producing the same mean-pooled, L2-normalised
 * embeddings: the reference engine of {@code bench-encoder}.
 */
public final class OrtEncoder implements AutoCloseable {

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  private final int hidden;

  /**
   * @param onnx the model file's bytes
   * @param threads intra-op threads (ORT's own pool)
   * @param hidden model width d
   */
  public OrtEncoder(byte[] onnx, int threads, int hidden) throws OrtException {
    OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
    opts.setIntraOpNumThreads(threads);
    opts.setInterOpNumThreads(1);
    opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    this.session = env.createSession(onnx, opts);
    this.hidden = hidden;
  }

  /** Mean-pooled, L2-normalised embeddings of a padded batch. */
  public float[][] embed(TokenBatch b) throws OrtException {
    long[] shape = {b.batchSize(), b.seqLen()};
    try (OnnxTensor ids = OnnxTensor.createTensor(env, LongBuffer.wrap(b.ids()), shape);
        OnnxTensor mask = OnnxTensor.createTensor(env, LongBuffer.wrap(b.attentionMask()), shape);
        OnnxTensor types =
            OnnxTensor.createTensor(env, LongBuffer.wrap(new long[b.ids().length]), shape);
        OrtSession.Result r =
            session.run(
                Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types))) {
      FloatBuffer h = ((OnnxTensor) r.get(0)).getFloatBuffer();
      float[][] out = new float[b.batchSize()][hidden];
      for (int i = 0; i < b.batchSize(); i++) {
        int len = b.lengths()[i];
        float[] row = out[i];
        for (int t = 0; t < len; t++) {
          int off = (i * b.seqLen() + t) * hidden;
          for (int k = 0; k < hidden; k++) {
            row[k] += h.get(off + k);
          }
        }
        double norm = 0;
        for (int k = 0; k < hidden; k++) {
          row[k] /= len;
          norm += row[k] * row[k];
        }
        float inv = (float) (1 / Math.max(Math.sqrt(norm), 1e-12));
        for (int k = 0; k < hidden; k++) {
          row[k] *= inv;
        }
      }
      return out;
    }
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
