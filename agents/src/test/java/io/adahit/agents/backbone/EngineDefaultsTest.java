package io.adahit.agents.backbone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The engine settings an entry point applies: missing ones are set, the launcher's are kept. */
class EngineDefaultsTest {

  private final Map<String, String> saved = new HashMap<>();

  @BeforeEach
  void save() {
    EngineDefaults.PROPERTIES.keySet().forEach(k -> saved.put(k, System.getProperty(k)));
  }

  @AfterEach
  void restore() {
    saved.forEach(
        (k, v) -> {
          if (v == null) {
            System.clearProperty(k);
          } else {
            System.setProperty(k, v);
          }
        });
  }

  @Test
  void setsWhatIsMissingAndKeepsWhatTheLauncherSet() {
    System.clearProperty("ai.djl.offline");
    System.setProperty("ai.djl.pytorch.num_interop_threads", "3");
    EngineDefaults.applyUnlessSet();
    assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
    assertThat(System.getProperty("ai.djl.pytorch.num_interop_threads")).isEqualTo("3");
  }
}
