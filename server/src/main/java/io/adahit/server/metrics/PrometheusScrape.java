package io.adahit.server.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Set;

/**
 * The server's Prometheus registry and its {@code /metrics} text.
 *
 * <p>Micrometer's Prometheus registry writes a {@code <name>_max} gauge beside every timer and
 * distribution summary: the largest value of a sliding window (one step, a minute by default),
 * which decays to 0 and is lost between scrapes, so it misleads more than it tells. Its config has
 * no switch for it (1.17), so {@link #text} leaves those families out of the scrape through the
 * Prometheus client's name filter; the histograms ({@code _bucket}), {@code _count} and {@code
 * _sum} stay. {@link #newRegistry} also drops Micrometer's {@code process.cpu.time} (in
 * nanoseconds): {@link ProcessMetrics} gives it in seconds as {@code process_cpu_seconds_total}.
 *
 * <pre>{@code
 * PrometheusMeterRegistry registry = PrometheusScrape.newRegistry();
 * String body = PrometheusScrape.text(registry);   // what GET /metrics answers
 * }</pre>
 */
public final class PrometheusScrape {

  /** The content type of {@link #text}. */
  public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  private static final PrometheusTextFormatWriter WRITER =
      ExpositionFormats.init().getPrometheusTextFormatWriter();

  private PrometheusScrape() {}

  /** A Prometheus registry with the server's meter filters. */
  public static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")));
    return registry;
  }

  /**
   * The Prometheus text exposition of {@code registry}, without the {@code _max} gauges of
   * distributions.
   */
  public static String text(PrometheusMeterRegistry registry) {
    Set<String> maxGauges = new HashSet<>();
    for (Meter m : registry.getMeters()) {
      if (m instanceof Timer || m instanceof DistributionSummary || m instanceof LongTaskTimer) {
        maxGauges.add(m.getId().getConventionName(registry.config().namingConvention()) + "_max");
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      WRITER.write(out, registry.getPrometheusRegistry().scrape(name -> !maxGauges.contains(name)));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }
}
