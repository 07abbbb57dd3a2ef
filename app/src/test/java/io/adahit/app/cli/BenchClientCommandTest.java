package io.adahit.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** bench-client's options: parsed with their defaults and checked before anything connects. */
class BenchClientCommandTest {

  private static BenchClientCommand parse(String... args) {
    BenchClientCommand c = new BenchClientCommand();
    new CommandLine(c).parseArgs(args);
    return c;
  }

  @Test
  void optionsAndDefaults() throws Exception {
    BenchClientCommand c = parse("--url", "ws://127.0.0.1:8080/websocket", "--acks", "a.jsonl");
    assertThat(c.conversations).isEqualTo(64);
    assertThat(c.turns).isEqualTo(3);
    assertThat(c.thinkMillis).isEqualTo(1000);
    assertThat(c.maxSeconds).isEqualTo(600);
    assertThat(c.idleSockets).isZero();
    assertThat(c.rankClients).isZero();
    assertThat(c.rankCandidates).isEqualTo(10_000);
    assertThat(c.acksFile).isEqualTo(Path.of("a.jsonl"));
    assertThat(c.problem()).isNull();
    c =
        parse(
            "--url",
            "ws://localhost:9/websocket",
            "--acks",
            "a",
            "-n",
            "1000",
            "--turns",
            "2",
            "--think-ms",
            "30000",
            "--idle-sockets",
            "256",
            "--rank-clients",
            "1",
            "--grpc-port",
            "50051",
            "--rank-candidates",
            "500");
    assertThat(c.conversations).isEqualTo(1000);
    assertThat(c.turns).isEqualTo(2);
    assertThat(c.thinkMillis).isEqualTo(30_000);
    assertThat(c.idleSockets).isEqualTo(256);
    assertThat(c.grpcPort).isEqualTo(50051);
    assertThat(c.rankCandidates).isEqualTo(500);
    assertThat(c.problem()).isNull();
  }

  @Test
  void badOptionsAreNamed() throws Exception {
    assertThatThrownBy(() -> parse("--acks", "a.jsonl"))
        .isInstanceOf(CommandLine.MissingParameterException.class)
        .hasMessageContaining("--url");
    assertThat(parse("--url", "http://127.0.0.1:8080/", "--acks", "a").problem())
        .isEqualTo("--url must be ws://HOST:PORT/websocket, found http://127.0.0.1:8080/");
    assertThat(parse("--url", "ws://192.0.2.1:8080/websocket", "--acks", "a").problem())
        .startsWith("--url must name a loopback address")
        .endsWith("found 192.0.2.1");
    assertThat(
            parse("--url", "ws://127.0.0.1:8080/websocket", "--acks", "a", "--rank-clients", "1")
                .problem())
        .isEqualTo("--rank-clients needs the server's --grpc-port");
    assertThat(
            parse("--url", "ws://127.0.0.1:8080/websocket", "--acks", "a", "--turns", "0")
                .problem())
        .startsWith("--conversations must be >= 0, --turns and --max-seconds >= 1");
    assertThat(parse("--url", "ws://127.0.0.1:8080/websocket", "--acks", "a", "-n", "0").problem())
        .isEqualTo(
            "--conversations 0 runs hostile clients only: give --idle-sockets or --rank-clients");
    assertThat(
            parse(
                    "--url",
                    "ws://127.0.0.1:8080/websocket",
                    "--acks",
                    "a",
                    "-n",
                    "0",
                    "--idle-sockets",
                    "8")
                .problem())
        .isNull();
  }
}
