/*
 * libadahit_cpu_tuning.so: preloaded (LD_PRELOAD) into every JVM that runs the PyTorch engine
 * (bin/adahit, the Maven tests, the container image), it makes PyTorch use what the CPU offers.
 * (ATEN_CPU_CAPABILITY=avx512 was tried too: PyTorch 2.7.1 keeps its AVX2 element-wise kernels.)
 * Each setting was measured with `bin/adahit bench-encoder` (see README, "CPU tuning").
 *
 * 1. MKL's vendor check. PyTorch's libtorch_cpu.so links MKL statically and exports MKL's internal
 *    `mkl_serv_intel_cpu_true`; on a CPU that is not GenuineIntel it answers 0 and MKL runs AVX2
 *    GEMM kernels even where the CPU has AVX-512. The definition below, found before
 *    libtorch_cpu.so's own, answers 1 on CPUs that are Intel or have AVX-512F, so MKL picks
 *    kernels by instruction set; on other CPUs it answers what MKL would.
 * 2. glibc malloc. PyTorch allocates every intermediate tensor afresh; above glibc's mmap
 *    threshold each one is a new mapping whose pages fault in on first touch. The constructor
 *    raises the threshold to 32 MiB and keeps up to 256 MiB of freed memory, unless
 *    MALLOC_MMAP_THRESHOLD_ is set or ADAHIT_MALLOC_TUNING=0.
 * Built by build.sh (the agents module's generate-resources phase, and bin/adahit).
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
int mkl_serv_intel_cpu_true(void) {
  __builtin_cpu_init();
  return __builtin_cpu_is("intel") || __builtin_cpu_supports("avx512f");
}

#endif

__attribute__((constructor)) static void adahit_cpu_tuning(void) {
  const char *tuning = getenv("ADAHIT_MALLOC_TUNING");
  if (getenv("MALLOC_MMAP_THRESHOLD_") == NULL && (tuning == NULL || strcmp(tuning, "0") != 0)) {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_TOP_PAD, 64 << 20);
  }
}
