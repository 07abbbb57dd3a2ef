package io.adahit.agents.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The backbone is frozen, and modules at the hook points are reached by gradients and by data. */
class BackboneFrozenTest {

  private static Backbone backbone;

  @BeforeAll
  static void load() throws Exception {
    backbone = Backbone.loadDefault();
  }

  @AfterAll
  static void close() {
    backbone.close();
  }

  @Test
  void encoderCountsTheTokensOfEveryFullPass() {
    List<String> texts =
        List.of("hello there", "i like to ski in the mountains with my two dogs", "ok");
    EncodeOptions options = EncodeOptions.defaults();
    long[][] rows =
        backbone.tokenizer().encodeRows(texts, options.maxLength(), options.truncation());
    long real = 0;
    int longest = 0;
    for (long[] r : rows) {
      real += r.length;
      longest = Math.max(longest, r.length);
    }
    EncoderWork before = backbone.encoder().work();
    backbone.embed(texts, options);
    EncoderWork done = backbone.encoder().work().minus(before);
    assertThat(done)
        .isEqualTo(new EncoderWork(3, real, 3L * longest)); // one batch, padded to its longest
    assertThat(real).isGreaterThan(3 * 2); // [CLS] and [SEP] at least
    assertThat(done.tokensPerSecond(2.0)).isEqualTo(real / 2.0);
  }

  @Test
  void noBackboneParameterRequiresGradient() {
    List<NDArray> params = backbone.encoder().parameters();
    assertThat(params).hasSize(5 + 12 * 6);
    assertThat(params).noneMatch(NDArray::hasGradient);
  }

  @Test
  void gradientReachesOnlyTheHookModuleAndBackboneBytesStayUnchanged() {
    List<float[]> before = snapshot();
    List<String> texts = SharedData.convai2Sentences(4);
    TokenBatch batch = backbone.tokenizer().encode(texts, 64, Truncation.KEEP_END);
    try (NDManager m = backbone.newManager()) {
      NDArray gate = m.create(1.0f);
      gate.setRequiresGradient(true);
      LayerHooks trainable =
          (point, out) ->
              point.equals(new HookPoint(3, HookPoint.Position.AFTER_FEED_FORWARD))
                  ? out.mul(gate)
                  : out;
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDArray hidden = backbone.encoder().forward(m, batch, trainable);
        NDArray loss = BertEncoder.meanPool(hidden, batch, true).get(":, 0").sum();
        gc.backward(loss);
      }
      float g = gate.getGradient().getFloat();
      assertThat(g).as("gradient at the hook module").isNotZero().isFinite();
    }
    assertThat(backbone.encoder().parameters()).noneMatch(NDArray::hasGradient);
    List<float[]> after = snapshot();
    for (int i = 0; i < before.size(); i++) {
      assertThat(after.get(i)).as("parameter %d bytes", i).isEqualTo(before.get(i));
    }
  }

  @Test
  void everyLayerCallsBothHookPointsOnceWithTheSublayerShape() {
    Set<HookPoint> seen = new HashSet<>();
    List<String> shapes = new ArrayList<>();
    LayerHooks recorder =
        (point, out) -> {
          seen.add(point);
          shapes.add(out.getShape().toString());
          return out;
        };
    float[][] hooked =
        backbone.embed(List.of("hello there", "hi"), EncodeOptions.defaults(), recorder);
    float[][] plain = backbone.embed(List.of("hello there", "hi"), EncodeOptions.defaults());
    assertThat(seen).hasSize(12);
    for (int layer = 0; layer < 6; layer++) {
      for (HookPoint.Position p : EnumSet.allOf(HookPoint.Position.class)) {
        assertThat(seen).contains(new HookPoint(layer, p));
      }
    }
    assertThat(shapes).containsOnly("(2, 4, 384)");
    assertThat(hooked)
        .as("an identity hook leaves the pretrained model unchanged")
        .isEqualTo(plain);
  }

  @Test
  void aHookChangesTheOutput() {
    LayerHooks zeroTopFfn =
        (point, out) ->
            point.layer() == 5 && point.position() == HookPoint.Position.AFTER_FEED_FORWARD
                ? out.zerosLike()
                : out;
    float[] plain = backbone.embed(List.of("i like to ski."), EncodeOptions.defaults())[0];
    float[] hooked =
        backbone.embed(List.of("i like to ski."), EncodeOptions.defaults(), zeroTopFfn)[0];
    assertThat(BackboneParityTest.cosine(plain, hooked)).isLessThan(0.999);
  }

  @Test
  void emptyBatchGivesEmptyResultsAndTheEncoderRefusesAnEmptyTokenBatch() {
    assertThat(backbone.embed(List.of(), EncodeOptions.defaults())).isEmpty();
    assertThat(backbone.lastHiddenState(List.of(), EncodeOptions.defaults())).isEmpty();
    TokenBatch empty = backbone.tokenizer().encode(List.of(), 16, Truncation.KEEP_START);
    try (NDManager m = backbone.newManager()) {
      assertThatThrownBy(() -> backbone.encoder().forward(m, empty, LayerHooks.NONE))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("empty batch");
    }
  }

  @Test
  void textLongerThanThePositionTableIsTruncatedNotAnError() {
    String longText = "i like to ski and hike in the mountains . ".repeat(300);
    float[][] e =
        backbone.embed(List.of(longText), EncodeOptions.defaults().withMaxLength(100_000));
    assertThat(e[0]).hasSize(384);
    float[][][] h =
        backbone.lastHiddenState(
            List.of(longText), EncodeOptions.defaults().withMaxLength(100_000));
    assertThat(h[0]).as("capped at max_position_embeddings").hasNumberOfRows(512);
  }

  private static List<float[]> snapshot() {
    List<float[]> s = new ArrayList<>();
    for (NDArray a : backbone.encoder().parameters()) {
      s.add(a.toFloatArray());
    }
    return s;
  }
}
