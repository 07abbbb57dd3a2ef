package io.adahit.agents.backbone;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NativeHeapTest {

  private static long rssMiB() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }

  @Test
  void freedTensorMemoryBetweenLiveTensorsLeavesTheProcessAfterATrim() throws IOException {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      m.ones(new Shape(16)).close(); // the engine is loaded before the first figure
      NativeHeap.trim();
      long before = rssMiB();
      List<NDArray> big = new ArrayList<>();
      for (int i = 0; i < 32; i++) { // 256 MiB in 8 MiB tensors, a small live one after each
        big.add(m.ones(new Shape(2 << 20)));
        m.ones(new Shape(1024));
      }
      big.forEach(NDArray::close);
      long freed = rssMiB();
      NativeHeap.trim();
      long trimmed = rssMiB();
      // under the CPU tuning library (surefire preloads it) glibc keeps the freed 256 MiB resident
      // until the trim; without it they are unmapped at once: either way none stays after the trim
      assertThat(trimmed - before)
          .as(
              "RSS before %d MiB, after freeing %d MiB, after the trim %d MiB",
              before, freed, trimmed)
          .isLessThan(64);
    }
  }
}
