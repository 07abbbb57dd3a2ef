package io.adahit.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.UnknownHostException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplicaNameTest {

  private static final ReplicaName.HostLookup UNRESOLVABLE =
      () -> {
        throw new UnknownHostException("3f2a9c1d: 3f2a9c1d: Name or service not known");
      };

  @Test
  void configuredNameWinsOverEnvironmentAndResolver() {
    assertThat(ReplicaName.resolve("replica-1", Map.of("HOSTNAME", "pod-a"), () -> "host", 7))
        .isEqualTo("replica-1");
  }

  @Test
  void hostnameVariableIsUsedWithoutAskingTheResolver() {
    assertThat(
            ReplicaName.resolve(null, Map.of("HOSTNAME", "adahit-server-5d9c-x2"), UNRESOLVABLE, 7))
        .isEqualTo("adahit-server-5d9c-x2");
  }

  @Test
  void resolvedHostNameWhenNeitherIsSet() {
    assertThat(ReplicaName.resolve(" ", Map.of(), () -> "box.example", 7)).isEqualTo("box.example");
  }

  @Test
  void unresolvableHostNameFallsBackToTheProcessIdInsteadOfFailing() {
    assertThat(ReplicaName.resolve(null, Map.of("HOSTNAME", ""), UNRESOLVABLE, 4242))
        .isEqualTo("adahit-4242");
  }
}
