package io.adahit.agents.ranker;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class CandidateIndexTest {

  @Test
  void keepsOneCopyOfThePoolOnTheEngine() {
    NDManager manager = NDManager.newBaseManager("PyTorch");
    float[][] embeddings = {{1f, 0f, 0f}, {0f, 1f, 0f}, {0.6f, 0.8f, 0f}, {0f, 0f, 1f}};
    try (CandidateIndex index =
        new CandidateIndex(List.of("a", "b", "c", "d"), embeddings, manager)) {
      List<NDArray> live =
          manager.getManagedArrays().stream().filter(a -> !a.isReleased()).toList();
      assertThat(live).hasSize(1);
      assertThat(live.get(0).getShape()).isEqualTo(new Shape(3, 4));
      try (NDManager m = NDManager.newBaseManager("PyTorch")) {
        float[] scores = index.scores(m.create(new float[] {0f, 1f, 0f}, new Shape(1, 3)));
        assertThat(scores).containsExactly(0f, 1f, 0.8f, 0f);
      }
    }
    assertThat(manager.isOpen()).isFalse();
  }
}
