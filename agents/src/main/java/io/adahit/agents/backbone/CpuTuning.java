package io.adahit.agents.backbone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Which fp32 GEMM kernels PyTorch's MKL runs in this process, as far as the host tells: MKL picks
 * them by CPU vendor. On a CPU that is not Intel it takes its generic path: AVX2 kernels even where
 * the CPU has AVX-512 (about half the speed), and slower AVX2 kernels than its Intel path on
 * AVX2-only CPUs (141 vs 177 GFLOP/s for a 1024^3 product on a 2-core AVX2 AMD EPYC). The CPU
 * tuning library {@value #LIBRARY} (built from {@code agents/src/main/c}, preloaded by {@code
 * bin/adahit}, the tests and the container image) makes MKL take its Intel path, which picks
 * kernels by instruction set, on every CPU with AVX-512F or AVX2 with FMA.
 *
 * <pre>{@code
 * CpuTuning t = CpuTuning.detect();
 * if (t.slow()) log.warn(t.describe());
 * }</pre>
 *
 * @param vendor the CPU's vendor_id ("GenuineIntel", "AuthenticAMD", ...; "unknown" off Linux)
 * @param avx512 whether the CPU reports AVX-512 F, BW, VL and DQ (MKL's AVX-512 kernels' set)
 * @param avx2 whether the CPU reports AVX2 and FMA (MKL's AVX2 kernels' set)
 * @param preloaded whether {@value #LIBRARY} is mapped into this process
 */
public record CpuTuning(String vendor, boolean avx512, boolean avx2, boolean preloaded) {

  /** File name of the preloaded CPU tuning library. */
  public static final String LIBRARY = "libadahit_cpu_tuning.so";

  /** Reads {@code /proc/cpuinfo} and {@code /proc/self/maps}. */
  public static CpuTuning detect() {
    return from(read("/proc/cpuinfo"), read("/proc/self/maps"));
  }

  /** What the given contents of {@code /proc/cpuinfo} and {@code /proc/self/maps} imply. */
  static CpuTuning from(List<String> cpuinfo, List<String> maps) {
    String vendor = "unknown";
    Set<String> flags = Set.of();
    for (String line : cpuinfo) {
      if (line.startsWith("vendor_id") && vendor.equals("unknown")) {
        vendor = line.substring(line.indexOf(':') + 1).trim();
      } else if (line.startsWith("flags") && flags.isEmpty()) {
        flags =
            Stream.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"))
                .collect(Collectors.toSet());
      }
    }
    boolean avx512 = flags.containsAll(List.of("avx512f", "avx512bw", "avx512vl", "avx512dq"));
    boolean avx2 = flags.containsAll(List.of("avx2", "fma"));
    boolean preloaded = maps.stream().anyMatch(l -> l.endsWith("/" + LIBRARY));
    return new CpuTuning(vendor, avx512, avx2, preloaded);
  }

  /** Whether MKL takes its Intel path here, which picks GEMM kernels by instruction set. */
  public boolean intelPath() {
    return vendor.equals("GenuineIntel") || (preloaded && (avx512 || avx2));
  }

  /** Whether MKL runs its AVX-512 GEMM kernels here (false where the CPU has none). */
  public boolean gemmAvx512() {
    return avx512 && intelPath();
  }

  /** Whether this CPU has faster GEMM kernels than the ones MKL runs here. */
  public boolean slow() {
    return (avx512 || avx2) && !intelPath();
  }

  /** One line for logs and benchmarks, with the remedy when {@link #slow()}. */
  public String describe() {
    String cpu =
        String.format(
            Locale.ROOT,
            "%s, AVX-512 %s, AVX2 %s, %s %s",
            vendor,
            avx512 ? "yes" : "no",
            avx2 ? "yes" : "no",
            LIBRARY,
            preloaded ? "preloaded" : "not preloaded");
    String kernels =
        "MKL GEMM "
            + (gemmAvx512() ? "AVX-512" : avx2 || avx512 ? "AVX2" : "without AVX2")
            + (intelPath() ? " (Intel path)" : " (generic path)");
    if (!slow()) {
      return "CPU kernels: "
          + kernels
          + (avx512 || !intelPath() ? "" : ", the best this CPU has")
          + " ("
          + cpu
          + ")";
    }
    return "CPU kernels: SLOW, "
        + kernels
        + " on a CPU with "
        + (avx512 ? "AVX-512" : "AVX2")
        + " ("
        + cpu
        + "); run through"
        + " bin/adahit, or set LD_PRELOAD to agents/target/native/"
        + LIBRARY
        + " (built by the Maven build from agents/src/main/c)";
  }

  private static List<String> read(String file) {
    try {
      return Files.readAllLines(Path.of(file));
    } catch (IOException | UnsupportedOperationException e) {
      return List.of();
    }
  }
}
