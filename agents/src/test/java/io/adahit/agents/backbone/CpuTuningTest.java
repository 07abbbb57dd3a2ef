package io.adahit.agents.backbone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CpuTuningTest {

  private static final List<String> AMD_AVX512 =
      List.of(
          "processor\t: 0",
          "vendor_id\t: AuthenticAMD",
          "flags\t\t: fpu sse avx2 avx512f avx512dq avx512cd avx512bw avx512vl avx512_bf16");
  private static final List<String> AMD_AVX2 =
      List.of("vendor_id\t: AuthenticAMD", "flags\t\t: fpu sse avx avx2 fma");
  private static final List<String> INTEL_AVX512 =
      List.of("vendor_id\t: GenuineIntel", "flags\t\t: avx2 avx512f avx512dq avx512bw avx512vl");
  private static final List<String> MAPS_WITH =
      List.of(
          "7f00-7f01 r-xp 00000000 fd:00 123 /work/main/agents/target/native/" + CpuTuning.LIBRARY);
  private static final List<String> MAPS_WITHOUT =
      List.of("7f00-7f01 r-xp 00000000 fd:00 124 /usr/lib/x86_64-linux-gnu/libc.so.6");

  @Test
  void amdWithAvx512IsSlowUntilTheLibraryIsPreloaded() {
    CpuTuning without = CpuTuning.from(AMD_AVX512, MAPS_WITHOUT);
    assertThat(without.avx512()).isTrue();
    assertThat(without.slow()).isTrue();
    assertThat(without.describe()).contains("SLOW", "MKL GEMM AVX2", "LD_PRELOAD");

    CpuTuning with = CpuTuning.from(AMD_AVX512, MAPS_WITH);
    assertThat(with.gemmAvx512()).isTrue();
    assertThat(with.slow()).isFalse();
    assertThat(with.describe()).contains("MKL GEMM AVX-512 (Intel path)").doesNotContain("SLOW");
  }

  @Test
  void intelRunsAvx512KernelsWithoutTheLibrary() {
    CpuTuning t = CpuTuning.from(INTEL_AVX512, MAPS_WITHOUT);
    assertThat(t.gemmAvx512()).isTrue();
    assertThat(t.slow()).isFalse();
  }

  @Test
  void amdWithOnlyAvx2IsSlowUntilTheLibraryIsPreloaded() {
    CpuTuning without = CpuTuning.from(AMD_AVX2, MAPS_WITHOUT);
    assertThat(without.avx512()).isFalse();
    assertThat(without.avx2()).isTrue();
    assertThat(without.slow()).isTrue();
    assertThat(without.describe()).contains("SLOW", "MKL GEMM AVX2 (generic path)", "LD_PRELOAD");

    CpuTuning with = CpuTuning.from(AMD_AVX2, MAPS_WITH);
    assertThat(with.intelPath()).isTrue();
    assertThat(with.gemmAvx512()).isFalse();
    assertThat(with.slow()).isFalse();
    assertThat(with.describe()).contains("MKL GEMM AVX2 (Intel path), the best this CPU has");
  }

  @Test
  void aCpuWithoutAvx2IsNeverSlow() {
    CpuTuning t =
        CpuTuning.from(
            List.of("vendor_id\t: AuthenticAMD", "flags\t\t: fpu sse sse2 avx"), MAPS_WITH);
    assertThat(t.avx2()).isFalse();
    assertThat(t.intelPath()).isFalse();
    assertThat(t.slow()).isFalse();
    assertThat(t.describe())
        .contains("MKL GEMM without AVX2 (generic path)")
        .doesNotContain("SLOW");
  }

  @Test
  void theTestJvmRunsTheFastPath() {
    // surefire preloads the library built by this module (root pom); on an AVX2 or AVX-512 host
    // the tests must measure and exercise what bin/adahit runs
    CpuTuning here = CpuTuning.detect();
    assertThat(here.preloaded()).as(here.describe()).isTrue();
    assertThat(here.slow()).as(here.describe()).isFalse();
  }
}
