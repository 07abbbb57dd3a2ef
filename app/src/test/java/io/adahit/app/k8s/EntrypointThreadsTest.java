package io.adahit.app.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/entrypoint.sh gives PyTorch and OpenMP as many threads as the container may use:
 * ADAHIT_THREADS, else the cgroup CPU limit rounded up (v2 cpu.max, v1 CFS quota), else nproc. Runs
 * the script with bash against a fake cgroup tree and a fake {@code java} that prints its arguments
 * and OMP_NUM_THREADS.
 */
class EntrypointThreadsTest {

  private static final Path SCRIPT = Path.of("..", "docker", "entrypoint.sh");

  @TempDir Path tmp;
  private Path cgroup;

  @BeforeEach
  void fakeJava() throws Exception {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path java = bin.resolve("java");
    Files.writeString(java, "#!/bin/bash\necho \"OMP_NUM_THREADS=$OMP_NUM_THREADS $*\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    cgroup = Files.createDirectories(tmp.resolve("cgroup"));
  }

  private String run(Map<String, String> extraEnv) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder("bash", SCRIPT.toString(), "encode", "hello").redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.remove("ADAHIT_THREADS");
    env.remove("OMP_NUM_THREADS");
    env.remove("JAVA_OPTS");
    env.remove("ADAHIT_JAR");
    env.put("PATH", tmp.resolve("bin") + ":/usr/bin:/bin");
    env.put("ADAHIT_CGROUP_DIR", cgroup.toString());
    env.putAll(extraEnv);
    Process p = pb.start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  void cgroupV2LimitRoundedUpSetsPyTorchAndOpenMpThreads() throws Exception {
    Files.writeString(cgroup.resolve("cpu.max"), "150000 100000\n");
    assertThat(run(Map.of()))
        .isEqualTo(
            "OMP_NUM_THREADS=2 -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=2"
                + " -Dai.djl.pytorch.num_interop_threads=1 -jar /app/adahit-cli.jar encode hello");
  }

  @Test
  void cgroupV1QuotaIsReadWhenThereIsNoCpuMax() throws Exception {
    Files.createDirectories(cgroup.resolve("cpu"));
    Files.writeString(cgroup.resolve("cpu/cpu.cfs_quota_us"), "400000\n");
    Files.writeString(cgroup.resolve("cpu/cpu.cfs_period_us"), "100000\n");
    assertThat(run(Map.of()))
        .contains("-Dai.djl.pytorch.num_threads=4")
        .startsWith("OMP_NUM_THREADS=4 ");
  }

  @Test
  void withoutALimitTheCpusOfTheProcessAreUsed() throws Exception {
    Files.writeString(cgroup.resolve("cpu.max"), "max 100000\n");
    String nproc =
        new String(
                new ProcessBuilder("nproc").start().getInputStream().readAllBytes(),
                StandardCharsets.UTF_8)
            .strip();
    assertThat(run(Map.of())).contains("-Dai.djl.pytorch.num_threads=" + nproc + " ");
  }

  @Test
  void adahitThreadsWinsAndJavaOptsAreAdded() throws Exception {
    Files.writeString(cgroup.resolve("cpu.max"), "800000 100000\n");
    Map<String, String> env = new HashMap<>(Map.of("ADAHIT_THREADS", "3", "JAVA_OPTS", "-Xmx1g"));
    assertThat(run(env))
        .isEqualTo(
            "OMP_NUM_THREADS=3 -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=3"
                + " -Dai.djl.pytorch.num_interop_threads=1 -Xmx1g -jar /app/adahit-cli.jar encode hello");
  }

  @Test
  void aBadThreadCountIsRefusedNamingTheVariable() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder("bash", SCRIPT.toString(), "encode").redirectErrorStream(true);
    pb.environment().put("ADAHIT_THREADS", "two");
    pb.environment().put("PATH", tmp.resolve("bin") + ":/usr/bin:/bin");
    Process p = pb.start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .contains("ADAHIT_THREADS must be a whole number >= 1, found 'two'");
  }
}
