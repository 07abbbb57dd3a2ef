package io.adahit.server.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * {@code adahit_build_info{version="..."} 1}: which build a replica runs. The version is the Maven
 * project version, written into {@code io/adahit/server/build.properties} by resource filtering;
 * {@code dev} when that file is missing or unfiltered (a build outside Maven).
 *
 * <pre>{@code
 * new BuildInfo().bindTo(registry);   // BuildInfo.version() -> "0.1.0-SNAPSHOT"
 * }</pre>
 */
public final class BuildInfo implements MeterBinder {

  static final String RESOURCE = "io/adahit/server/build.properties";

  /** The build's version, or {@code dev} if unknown. */
  public static String version() {
    try (InputStream in = BuildInfo.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return "dev";
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "").strip();
      return v.isEmpty() || v.contains("${") ? "dev" : v;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("adahit.build.info", () -> 1)
        .description("the build this server runs (value is always 1)")
        .tag("version", version())
        .register(registry);
  }
}
