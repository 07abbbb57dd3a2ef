package io.adahit.app.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adahit.server.config.ServerConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** serve's flags become config overrides: named flags over --set, --set over the defaults. */
class ServeCommandTest {

  private static ServerConfig parse(String... args) throws Exception {
    ServeCommand serve = new ServeCommand();
    new CommandLine(serve).parseArgs(args);
    return serve.effectiveConfig();
  }

  @Test
  void tuningFlagsAndSetReachTheConfig() throws Exception {
    ServerConfig c =
        parse(
            "--max-batch",
            "16",
            "--set",
            "batching.maxBatch=8",
            "--set",
            "agent.textTruncate=128",
            "--max-wait-ms",
            "2",
            "--skills",
            "my-skills",
            "--no-logs");
    assertThat(c.batching().maxBatch()).as("the named flag wins over --set").isEqualTo(16);
    assertThat(c.batching().maxWaitMillis()).isEqualTo(2);
    assertThat(c.agent().textTruncate()).isEqualTo(128);
    assertThat(c.skills().dir()).isEqualTo(Path.of("my-skills"));
    assertThat(c.logs().dir()).isNull();
    assertThat(parse().agent().textTruncate()).as("the default: each skill's own length").isNull();
    assertThat(parse("--set", "agent.labelTruncate=32").agent().lengthOverrides())
        .isEqualTo(new io.adahit.agents.adapters.LengthOverrides(null, 32));
    assertThat(parse("--set", "agent.textTruncate=256").agent().textTruncate()).isEqualTo(256);
  }

  @Test
  void noEventsOpensNoEventStoreWhateverTheFileSays() throws Exception {
    assertThat(parse().events().url()).as("the default store").startsWith("jdbc:sqlite:");
    assertThat(
            parse("--no-events", "--set", "events.url=jdbc:postgresql://db:5432/adahit")
                .events()
                .url())
        .isNull();
  }

  @Test
  void aBadValueNamesItsKey() {
    assertThatThrownBy(() -> parse("--set", "agent.textTruncate=1000"))
        .hasMessageContaining("agent.textTruncate must be in 8..512 word pieces, found 1000");
    assertThatThrownBy(() -> parse("--set", "agent.textTrunc=100"))
        .hasMessageContaining("unknown key 'agent.textTrunc'");
  }

  @Test
  void skillsDirIsTheFlagAndSkillsItsHiddenAlias() throws Exception {
    assertThat(parse("--skills-dir", "a").skills().dir()).isEqualTo(Path.of("a"));
    assertThat(parse("--skills", "b").skills().dir())
        .as("old name still accepted")
        .isEqualTo(Path.of("b"));
    String usage = new CommandLine(new ServeCommand()).getUsageMessage();
    assertThat(usage)
        .contains("--skills-dir=DIR")
        .doesNotContain("--skills=")
        .contains("auto (the router)");
  }

  @Test
  void aPortInUseIsNamedWithItsFlag() throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      io.adahit.server.DialogueServer http =
          new io.adahit.server.DialogueServer(
              parse("--port", Integer.toString(port), "--no-grpc", "--no-logs"),
              java.util.random.RandomGenerator.getDefault());
      try {
        assertThatThrownBy(() -> http.start(io.adahit.server.skills.LoadProgress.NONE))
            .hasMessageStartingWith(
                "HTTP/WebSocket port " + port + " on 127.0.0.1 is already in use")
            .hasMessageEndingWith("choose another with --port (http.port)");
      } finally {
        http.close();
      }
      io.adahit.server.DialogueServer grpc =
          new io.adahit.server.DialogueServer(
              parse("--port", "0", "--grpc-port", Integer.toString(port), "--no-logs"),
              java.util.random.RandomGenerator.getDefault());
      try {
        assertThatThrownBy(() -> grpc.start(io.adahit.server.skills.LoadProgress.NONE))
            .hasMessageStartingWith("gRPC port " + port + " on 127.0.0.1 is already in use")
            .hasMessageEndingWith("choose another with --grpc-port (grpc.port)");
      } finally {
        grpc.close();
      }
    }
  }
}
