package io.adahit.server.metrics;

import io.adahit.agents.ToolVersion;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * {@code adahit_build_info{version="..."} 1}: which build a replica runs, by agents' {@link
 * ToolVersion} (the Maven project version; {@code dev} outside a Maven build).
 *
 * <pre>{@code
 * new BuildInfo().bindTo(registry);   // BuildInfo.version() -> "0.1.0-SNAPSHOT"
 * }</pre>
 */
public final class BuildInfo implements MeterBinder {

  /** The build's version ({@link ToolVersion#version()}), or {@code dev} if unknown. */
  public static String version() {
    return ToolVersion.version();
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("adahit.build.info", () -> 1)
        .description("the build this server runs (value is always 1)")
        .tag("version", version())
        .register(registry);
  }
}
