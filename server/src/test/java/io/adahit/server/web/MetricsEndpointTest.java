package io.adahit.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.server.ServerState;
import io.adahit.server.metrics.BuildInfo;
import io.adahit.server.metrics.ProcessMetrics;
import io.adahit.server.metrics.PrometheusScrape;
import io.adahit.server.metrics.ServerMetrics;
import io.adahit.server.metrics.SkillInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What GET /metrics shows, through the HTTP routes in an EmbeddedChannel and the server's registry
 * ({@link PrometheusScrape}): no model needed. The running server's wiring (skills changed by the
 * admin API, gRPC errors) is tested in {@code ObservabilityServerTest}.
 */
class MetricsEndpointTest {

  private final PrometheusMeterRegistry registry = PrometheusScrape.newRegistry();

  private String scrape() {
    EmbeddedChannel ch =
        new EmbeddedChannel(new HttpRoutes(new ServerState(), registry, new ObjectMapper()));
    ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/metrics"));
    FullHttpResponse r = ch.readOutbound();
    assertThat(r.headers().get("content-type")).startsWith("text/plain; version=0.0.4");
    String body = r.content().toString(StandardCharsets.UTF_8);
    r.release();
    ch.finishAndReleaseAll();
    return body;
  }

  /** The value of the one sample {@code series} (name and labels as printed), or fails. */
  private static double value(String text, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
    assertThat(m.find()).as("series %s in:%n%s", series, text).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void residentAndNativeMemoryComeFromProcStatus() throws IOException {
    // a resident set 1 GiB above what this JVM has committed now, so that the estimate is > 0
    // however far the test JVM has grown
    var memory = java.lang.management.ManagementFactory.getMemoryMXBean();
    long committed =
        memory.getHeapMemoryUsage().getCommitted() + memory.getNonHeapMemoryUsage().getCommitted();
    long rssKb = (committed >> 10) + (1L << 20);
    Path status = Files.createTempFile("status", "");
    Files.writeString(
        status, "Name:\tjava\nVmPeak:\t 9999 kB\nVmRSS:\t " + rssKb + " kB\nThreads:\t40\n");
    new ProcessMetrics(status).bindTo(registry);
    String text = scrape();
    assertThat(value(text, "process_resident_memory_bytes")).isEqualTo(rssKb * 1024.0);
    double nativeBytes = value(text, "adahit_native_memory_bytes");
    assertThat(nativeBytes)
        .as("RSS minus the JVM's committed memory")
        .isGreaterThan(0)
        .isLessThan(rssKb * 1024.0);
    assertThat(text)
        .contains("# HELP adahit_native_memory_bytes resident memory outside the JVM's heap");
    Files.delete(status);
  }

  @Test
  void theRealProcessHasAResidentSetLargerThanItsUsedHeap() {
    new ProcessMetrics().bindTo(registry);
    long heapUsed = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    assertThat(value(scrape(), "process_resident_memory_bytes")).isGreaterThan(heapUsed / 2.0);
  }

  @Test
  void cpuTimeIsACounterInSecondsAndMicrometersNanosecondCounterIsDropped() {
    new ProcessorMetrics().bindTo(registry);
    new ProcessMetrics().bindTo(registry);
    long spin = System.nanoTime() + 200_000_000L; // 0.2 s of CPU, so the value is not 0
    double x = 0;
    while (System.nanoTime() < spin) {
      x += Math.sqrt(x + 1);
    }
    String text = scrape();
    assertThat(text).contains("# TYPE process_cpu_seconds_total counter");
    double seconds = value(text, "process_cpu_seconds_total");
    assertThat(seconds)
        .as("CPU seconds after spinning (%s)", x)
        .isGreaterThan(0.1)
        .isLessThan(
            ProcessHandleSeconds.elapsed() * Runtime.getRuntime().availableProcessors() + 1);
    assertThat(text).doesNotContain("process_cpu_time_ns");
  }

  @Test
  void buildInfoNamesTheMavenVersion() {
    new BuildInfo().bindTo(registry);
    assertThat(BuildInfo.version())
        .as("filtered from the pom")
        .matches("\\d+\\.\\d+\\.\\d+.*")
        .doesNotContain("$");
    assertThat(value(scrape(), "adahit_build_info{version=\"" + BuildInfo.version() + "\"}"))
        .isEqualTo(1);
  }

  @Test
  void everyErrorSeriesExistsAtZeroFromTheStart() {
    ServerMetrics metrics = new ServerMetrics(registry);
    String text = scrape();
    for (String kind : ServerMetrics.ERROR_KINDS) {
      assertThat(value(text, "adahit_errors_total{kind=\"" + kind + "\"}")).as(kind).isZero();
    }
    metrics.error("overloaded");
    assertThat(value(scrape(), "adahit_errors_total{kind=\"overloaded\"}")).isEqualTo(1);
  }

  /** Every literal kind the server's sources pass to the error counter is one of ERROR_KINDS. */
  @Test
  void theErrorKindsListIsComplete() throws IOException {
    Path src = Path.of("src/main/java/io/adahit/server");
    Pattern literal = Pattern.compile("(?:metrics\\.error|badRequest)\\(\\s*\"([a-z_]+)\"");
    Pattern wsBadRequest = Pattern.compile("new BadRequestException\\(\\s*\"([a-z_]+)\"");
    List<Path> files;
    try (var walk = Files.walk(src)) {
      files = walk.filter(p -> p.toString().endsWith(".java")).toList();
    }
    int found = 0;
    for (Path f : files) {
      String code = Files.readString(f);
      Matcher m = literal.matcher(code);
      while (m.find()) {
        assertThat(ServerMetrics.ERROR_KINDS)
            .as("%s counts '%s'", f, m.group(1))
            .contains(m.group(1));
        found++;
      }
      if (f.endsWith("WebSocketChatHandler.java")) { // its parse errors are counted by their kind
        Matcher w = wsBadRequest.matcher(code);
        while (w.find()) {
          assertThat(ServerMetrics.ERROR_KINDS)
              .as("%s counts '%s'", f, w.group(1))
              .contains(w.group(1));
          found++;
        }
      }
    }
    assertThat(found).as("error kinds found in the sources").isGreaterThan(10);
  }

  @Test
  void timersAndSummariesHaveNoDecayingMaxGauge() {
    ServerMetrics metrics = new ServerMetrics(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    metrics.turn("base", "websocket", 12_000_000L);
    metrics.batch(4, 30_000_000L);
    String text = scrape();
    assertThat(
            value(
                text, "adahit_turn_latency_seconds_count{skill=\"base\",transport=\"websocket\"}"))
        .isEqualTo(1);
    assertThat(value(text, "adahit_batch_size_count")).isEqualTo(1);
    assertThat(text)
        .contains(
            "adahit_turn_latency_seconds_bucket{skill=\"base\",transport=\"websocket\",le=\"0.025\"} 1");
    assertThat(text)
        .doesNotContain("_max{")
        .doesNotContain("_max ")
        .doesNotContain("TYPE adahit_batch_size_max");
    assertThat(text).as("other gauges stay").contains("adahit_errors_total");
    gc.close();
  }

  @Test
  void skillInfoFollowsTheServedSkillsAndDropsStaleSeries() {
    SkillInfoMetrics info = new SkillInfoMetrics(registry);
    info.update(
        List.of(
            new SkillInfoMetrics.Row("base", "none", "none"),
            new SkillInfoMetrics.Row("ada", "bottleneck", "aaaa")));
    String text = scrape();
    assertThat(
            value(
                text, "adahit_skill_info{fingerprint=\"aaaa\",kind=\"bottleneck\",skill=\"ada\"}"))
        .isEqualTo(1);
    assertThat(value(text, "adahit_skill_info{fingerprint=\"none\",kind=\"none\",skill=\"base\"}"))
        .isEqualTo(1);
    info.update(
        List.of(
            new SkillInfoMetrics.Row("base", "none", "none"),
            new SkillInfoMetrics.Row("ada", "bottleneck", "bbbb")));
    text = scrape();
    assertThat(text).contains("fingerprint=\"bbbb\"").doesNotContain("fingerprint=\"aaaa\"");
    info.update(List.of(new SkillInfoMetrics.Row("base", "none", "none")));
    assertThat(scrape()).doesNotContain("skill=\"ada\"").contains("skill=\"base\"");
  }

  /** Seconds since this JVM started (an upper bound for its CPU time per core). */
  private static final class ProcessHandleSeconds {
    static double elapsed() {
      return java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0;
    }
  }
}
