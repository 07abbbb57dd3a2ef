package io.adahit.agents.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adahit.agents.backbone.BertConfig;
import io.adahit.agents.backbone.HookPoint;
import io.adahit.agents.backbone.HookPoint.Position;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Configuration rules and their messages; no backbone needed. */
class AdapterConfigTest {

  private static final BertConfig MINI_LM = BertConfig.miniLmL6();

  @Test
  void houlsbyDefaultsAreDa64ReluEveryLayerBothPositions() {
    AdapterConfig c = AdapterConfig.houlsby("bst", 6);
    assertThat(c.kind()).isEqualTo(AdapterKind.BOTTLENECK);
    assertThat(c.bottleneck()).isEqualTo(64);
    assertThat(c.activation()).isEqualTo(AdapterActivation.RELU);
    assertThat(c.layers()).containsExactly(0, 1, 2, 3, 4, 5);
    assertThat(c.positions())
        .containsExactly(Position.AFTER_ATTENTION, Position.AFTER_FEED_FORWARD);
    assertThat(c.ownsLayerNorm()).isFalse();
    assertThat(c.hookPoints()).hasSize(12).startsWith(new HookPoint(0, Position.AFTER_ATTENTION));
    assertThat(c.parameterCount(384)).isEqualTo(12 * (2L * 384 * 64 + 384 + 64));
  }

  @Test
  void topLayersKeepTheUppermostBlocks() {
    assertThat(AdapterConfig.houlsby("bst", 6).withTopLayers(2).layers()).containsExactly(4, 5);
    assertThatThrownBy(() -> AdapterConfig.houlsby("bst", 6).withTopLayers(7))
        .hasMessage("adapter 'bst': top layers must be in 1..6, found 7");
  }

  @Test
  void layersAndPositionsAreSortedAndMustBeDistinct() {
    AdapterConfig c =
        AdapterConfig.houlsby("bst", 6)
            .withLayers(List.of(5, 2))
            .withPositions(java.util.Set.of(Position.AFTER_FEED_FORWARD, Position.AFTER_ATTENTION));
    assertThat(c.layers()).containsExactly(2, 5);
    assertThat(c.positions())
        .containsExactly(Position.AFTER_ATTENTION, Position.AFTER_FEED_FORWARD);
    assertThatThrownBy(() -> c.withLayers(List.of(1, 1)))
        .hasMessage("adapter 'bst': layers must be distinct, found 1 twice");
    assertThatThrownBy(() -> c.withLayers(Arrays.asList(-1)))
        .hasMessage("adapter 'bst': layers must be >= 0, found -1");
    assertThatThrownBy(() -> c.withLayers(List.of()))
        .hasMessage("adapter 'bst': layers must name at least one block, found []");
  }

  @Test
  void widthsAreCheckedAgainstTheBackbone() {
    assertThatThrownBy(() -> AdapterConfig.houlsby("bst", 6).withBottleneck(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("adapter 'bst': bottleneck must be >= 1, found 0");
    assertThatThrownBy(
            () -> AdapterConfig.houlsby("bst", 6).withBottleneck(500).validateFor(MINI_LM))
        .hasMessage("adapter 'bst': bottleneck must be in 1..384, found 500");
    assertThatThrownBy(() -> AdapterConfig.houlsby("bst", 12).validateFor(MINI_LM))
        .hasMessage("adapter 'bst': layers must be in 0..5, found 11");
    AdapterConfig base = AdapterConfig.houlsby("base", 6);
    assertThatThrownBy(() -> AdapterConfig.hierarchical("bst", base, 16, 100).validateFor(MINI_LM))
        .hasMessage("adapter 'bst': ts2_bottleneck must be in 1..64, found 100");
    assertThatThrownBy(() -> AdapterConfig.hierarchical("bst", base, 0, 8))
        .hasMessage("adapter 'bst': ts1_bottleneck must be >= 1, found 0");
    assertThat(
            AdapterConfig.hierarchical("bst", base, 384, 64).validateFor(MINI_LM).ts1Bottleneck())
        .isEqualTo(384);
  }

  @Test
  void kindSpecificFieldsMustBeUnsetElsewhere() {
    assertThatThrownBy(
            () ->
                new AdapterConfig(
                    "ed", AdapterKind.LINEAR_HEAD, 0, null, List.of(3), List.of(), false, 0, 0))
        .hasMessage(
            "adapter 'ed': layers is not used by kind linear_head and must be unset (0, null or empty), found [3]");
    assertThatThrownBy(
            () ->
                AdapterConfig.houlsby("bst", 6)
                    .withBottleneck(8)
                    .withLayers(List.of(0))
                    .withSkill("x")
                    .withActivation(null))
        .hasMessage(
            "adapter 'x': activation is required for kind bottleneck (one of relu, gelu, tanh)");
    assertThatThrownBy(
            () -> AdapterConfig.hierarchical("bst", AdapterConfig.linearHead("ed"), 8, 8))
        .hasMessage(
            "adapter 'bst': the base adapter must be of kind bottleneck, found 'ed' of kind linear_head");
  }

  @Test
  void skillNamesMustBeUsableInTensorNames() {
    assertThatThrownBy(() -> AdapterConfig.houlsby("my.skill", 6))
        .hasMessageStartingWith("adapter: skill must match")
        .hasMessageEndingWith("found 'my.skill'");
    assertThatThrownBy(() -> AdapterConfig.linearHead(null)).hasMessageEndingWith("found null");
  }

  @Test
  void provenanceValuesAreChecked() {
    assertThatThrownBy(() -> Provenance.pending().withValidHitsAt1(1.5))
        .hasMessage("provenance: valid_hits_at_1 must be in [0, 1], found 1.5");
    assertThatThrownBy(() -> new Provenance.TrainingFile("a.txt", "xyz"))
        .hasMessage(
            "provenance: training file 'a.txt': sha256 must be 64 lowercase hex digits, found xyz");
  }
}
