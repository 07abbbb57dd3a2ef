/*
 * libadahit_cpu_tuning.so: preloaded (LD_PRELOAD) into every JVM that runs the PyTorch engine
 * (bin/adahit, the Maven tests, the container image), it makes PyTorch use what the CPU offers.
 * (ATEN_CPU_CAPABILITY=avx512 was tried too: PyTorch 2.7.1 keeps its AVX2 element-wise kernels.)
 * Each setting was measured with `bin/adahit bench-encoder` (see README, "CPU tuning").
 *
 * 1. MKL's vendor check. PyTorch's libtorch_cpu.so links MKL statically and exports MKL's internal
 *    `mkl_serv_intel_cpu_true`; on a CPU that is not GenuineIntel it answers 0 and MKL runs its
 *    generic GEMM kernels: AVX2 even where the CPU has AVX-512 (about half the speed), and slower
 *    AVX2 ones than its Intel path on AVX2-only CPUs (a 1024^3 product at 141 vs 177 GFLOP/s on a
 *    2-core AVX2 AMD EPYC, 2026-12-06). The definition below, found before libtorch_cpu.so's own,
 *    answers 1 on CPUs that are Intel or have AVX-512F or AVX2 with FMA, so MKL picks kernels by
 *    instruction set; on other CPUs it answers what MKL would.
 * 2. glibc malloc. PyTorch allocates every intermediate tensor afresh, and a training step at 256
 *    word pieces allocates attention tensors of ~100 MB. glibc serves blocks above its mmap
 *    threshold with fresh mappings, and gives the top of the heap back to the kernel once more than
 *    its trim threshold is free, so every step faulted its memory in again, page by page (a third
 *    of a training step's time in the kernel). The constructor serves every block from the heap
 *    (M_MMAP_MAX 0; blocks under 32 MiB from the calling thread's arena) and keeps up to ~2 GB of
 *    freed memory for reuse, unless MALLOC_MMAP_THRESHOLD_ is set or ADAHIT_MALLOC_TUNING=0. The
 *    process's resident memory therefore stays near its peak instead of shrinking after a step.
 *    The launchers also set GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (glibc reads it before any
 *    constructor runs), which backs the heap with transparent huge pages where the kernel allows
 *    them (THP "madvise" mode), so the first touch of new memory faults 2 MiB at a time.
 * Built by build.sh (the agents module's generate-resources phase, and bin/adahit).
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
int mkl_serv_intel_cpu_true(void) {
  __builtin_cpu_init();
  return __builtin_cpu_is("intel") || __builtin_cpu_supports("avx512f") ||
         (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"));
}

#endif

__attribute__((constructor)) static void adahit_cpu_tuning(void) {
  const char *tuning = getenv("ADAHIT_MALLOC_TUNING");
  if (getenv("MALLOC_MMAP_THRESHOLD_") == NULL && (tuning == NULL || strcmp(tuning, "0") != 0)) {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, 2000000000);
    mallopt(M_TOP_PAD, 64 << 20);
  }
}
