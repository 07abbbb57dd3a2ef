package io.adahit.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The deployment manifests give the server time for its whole shutdown: the container runtime's
 * grace period is the image's shutdown.graceSeconds plus the preStop sleep plus a margin for the
 * JVM to exit, so SIGKILL never cuts a graceful shutdown short.
 */
class DeploymentGraceTest {

  private static final Path DOCKER = Path.of("..", "docker");

  /** Seconds left for the JVM to exit after the server's own shutdown. */
  private static final int MARGIN = 10;

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static int imageGraceSeconds() throws Exception {
    return ConfigLoader.load(DOCKER.resolve("server.yaml"), Map.of()).shutdown().graceSeconds();
  }

  @Test
  void composeStopGracePeriodCoversTheServersShutdown() throws Exception {
    JsonNode compose = YAML.readTree(DOCKER.resolve("compose.yaml").toFile());
    String period = compose.at("/services/adahit/stop_grace_period").asText();
    assertThat(period).matches("\\d+s");
    assertThat(Integer.parseInt(period.substring(0, period.length() - 1)))
        .isGreaterThanOrEqualTo(imageGraceSeconds() + MARGIN);
  }

  @Test
  void kubernetesTerminationGracePeriodCoversPreStopAndTheServersShutdown() throws Exception {
    JsonNode pod =
        YAML.readTree(DOCKER.resolve("k8s").resolve("deployment.yaml").toFile())
            .at("/spec/template/spec");
    JsonNode preStop = pod.at("/containers/0/lifecycle/preStop/exec/command");
    assertThat(preStop.get(0).asText()).isEqualTo("sleep");
    int sleep = preStop.get(1).asInt();
    assertThat(pod.get("terminationGracePeriodSeconds").asInt())
        .isGreaterThanOrEqualTo(sleep + imageGraceSeconds() + MARGIN);
  }
}
