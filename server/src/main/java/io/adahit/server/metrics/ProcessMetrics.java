package io.adahit.server.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What the process as a whole uses, beyond the JVM's own meters: most of a serving process's memory
 * is PyTorch's native memory, which {@code jvm_memory_*} does not see.
 *
 * <ul>
 *   <li>{@code process_resident_memory_bytes}: resident set size, {@code VmRSS} of {@code
 *       /proc/self/status} (NaN where there is no /proc);
 *   <li>{@code adahit_native_memory_bytes}: that RSS minus the JVM's used heap and non-heap memory
 *       (what PyTorch, DJL, the tokenizer, thread stacks, direct buffers and malloc arenas hold; an
 *       estimate that reads high by the heap pages that are resident but free since the last GC:
 *       used pages are resident, while committed ones need not be, so subtracting the committed
 *       sizes could read zero);
 *   <li>{@code process_cpu_seconds_total}: user + system CPU time of the process, in seconds
 *       ({@code OperatingSystemMXBean.getProcessCpuTime}).
 * </ul>
 *
 * <pre>{@code
 * new ProcessMetrics().bindTo(registry);
 * }</pre>
 */
public final class ProcessMetrics implements MeterBinder {

  private final Path status;
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();

  public ProcessMetrics() {
    this(Path.of("/proc/self/status"));
  }

  /**
   * @param status a file in the format of {@code /proc/self/status} (tests)
   */
  public ProcessMetrics(Path status) {
    this.status = status;
  }

  /** Binds the meters; they hold this object strongly (a caller need not keep it). */
  @Override
  public void bindTo(MeterRegistry registry) {
    // held strongly: DialogueServer keeps no reference, and a weakly held gauge reads NaN after a
    // GC
    Gauge.builder("process.resident.memory", this, ProcessMetrics::residentBytes)
        .baseUnit("bytes")
        .strongReference(true)
        .description("resident set size of the process (VmRSS of /proc/self/status)")
        .register(registry);
    Gauge.builder("adahit.native.memory", this, ProcessMetrics::nativeBytes)
        .baseUnit("bytes")
        .strongReference(true)
        .description(
            "resident memory outside the JVM's heap and non-heap pools: process RSS"
                + " minus the JVM's used heap and non-heap memory (PyTorch, DJL, tokenizer, thread stacks, malloc arenas)")
        .register(registry);
    if (os instanceof com.sun.management.OperatingSystemMXBean sun
        && sun.getProcessCpuTime() >= 0) {
      FunctionCounter.builder(
              "process.cpu", sun, b -> b.getProcessCpuTime() / (double) TimeUnit.SECONDS.toNanos(1))
          .baseUnit("seconds")
          .description("user and system CPU time of the process")
          .register(registry);
    }
  }

  /** VmRSS in bytes, or NaN if the file is missing or has no VmRSS line. */
  double residentBytes() {
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmRSS:")) { // "VmRSS:     1234567 kB"
          String[] f = line.substring(6).trim().split("\\s+");
          return Long.parseLong(f[0])
              * (f.length > 1 && f[1].equalsIgnoreCase("kB") ? 1024.0 : 1.0);
        }
      }
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
    return Double.NaN;
  }

  /** RSS minus the JVM's used heap and non-heap memory (NaN without RSS). */
  double nativeBytes() {
    double rss = residentBytes();
    long jvm = memory.getHeapMemoryUsage().getUsed() + memory.getNonHeapMemoryUsage().getUsed();
    return Double.isNaN(rss) ? Double.NaN : Math.max(0, rss - jvm);
  }
}
