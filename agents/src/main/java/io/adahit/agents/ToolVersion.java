package io.adahit.agents;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * This tool's version, as a report's {@code opt.adahit_version} and the server's {@code
 * adahit_build_info} metric give it: the Maven project version, written into {@code
 * io/adahit/agents/build.properties} by resource filtering; {@code dev} when that file is missing
 * or unfiltered (a build outside Maven).
 *
 * <pre>{@code
 * ToolVersion.version();   // "0.1.0-SNAPSHOT"
 * }</pre>
 */
public final class ToolVersion {

  static final String RESOURCE = "io/adahit/agents/build.properties";

  private ToolVersion() {}

  /** The build's version, or {@code dev} if unknown. */
  public static String version() {
    try (InputStream in = ToolVersion.class.getClassLoader().getResourceAsStream(RESOURCE)) {
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
}
