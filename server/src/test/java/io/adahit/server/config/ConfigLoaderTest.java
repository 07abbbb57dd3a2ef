package io.adahit.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.adahit.agents.ranker.PoolPrecision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @Test
  void defaultsServeParlaisPortTheRepositorysSkillsAndBatchSettings() {
    ServerConfig c = ConfigLoader.defaultsOnly();
    assertThat(c.http().port()).isEqualTo(35496);
    assertThat(c.http().host()).isEqualTo("127.0.0.1");
    assertThat(c.grpc().enabled()).isTrue();
    assertThat(c.skills().dir()).isEqualTo(Path.of("skills"));
    assertThat(c.skills().defaultSkill()).as("a newcomer talks to the router").isEqualTo("auto");
    assertThat(c.agent().delimiter()).isEqualTo("\n");
    assertThat(c.agent().historySize()).isEqualTo(-1);
    assertThat(c.agent().textTruncate()).as("each skill at its own training length").isNull();
    assertThat(c.agent().labelTruncate()).as("each skill at its own training length").isNull();
    assertThat(c.agent().lengthOverrides().any()).isFalse();
    assertThat(c.batching().maxBatch()).isEqualTo(32);
    assertThat(c.batching().workers()).as("one loop per engine thread").isZero();
    assertThat(c.batching().workersFor(2)).isEqualTo(2);
    assertThat(c.batching().threadsPerWorker(2)).isEqualTo(1);
    assertThat(c.logs().dir()).isEqualTo(Path.of("logs"));
  }

  @Test
  void environmentVariablesSetTheSharedStoreKeysOverTheFileAndUnderTheFlags(@TempDir Path tmp)
      throws Exception {
    Path file = tmp.resolve("s.yaml");
    Files.writeString(file, "events:\n  url: jdbc:sqlite:from-file.db\n  user: fileuser\n");
    Map<String, String> env =
        Map.of(
            "ADAHIT_EVENTS_URL",
            "jdbc:postgresql://db:5432/adahit",
            "ADAHIT_EVENTS_USER",
            "adahit",
            "ADAHIT_EVENTS_PASSWORD_ENV",
            "ADAHIT_EVENTS_PASSWORD",
            "ADAHIT_EVENTS_REPLICA",
            "adahit-7c9f-x2",
            "ADAHIT_CONVERSATIONS_SHARED",
            "true",
            "ADAHIT_ADMIN_SYNC_SECONDS",
            "2",
            "ADAHIT_ADMIN_TOKEN_FILE",
            "/var/run/secrets/adahit/admin-token",
            "ADAHIT_UNRELATED",
            "x");
    ServerConfig c = ConfigLoader.load(file, env, Map.of("events.replica", "from-flag"));
    assertThat(c.events().url()).isEqualTo("jdbc:postgresql://db:5432/adahit");
    assertThat(c.events().user()).isEqualTo("adahit");
    assertThat(c.events().passwordEnv()).isEqualTo("ADAHIT_EVENTS_PASSWORD");
    assertThat(c.events().replica()).as("a flag wins over the environment").isEqualTo("from-flag");
    assertThat(c.conversations().shared()).isTrue();
    assertThat(c.admin().syncSeconds()).isEqualTo(2);
    assertThat(c.admin().tokenFile()).isEqualTo(Path.of("/var/run/secrets/adahit/admin-token"));

    ServerConfig plain = ConfigLoader.load(file, Map.of("ADAHIT_EVENTS_USER", ""), Map.of());
    assertThat(plain.events().user()).as("an empty variable sets nothing").isEqualTo("fileuser");
    assertThat(plain.conversations().shared()).isFalse();
    assertThat(plain.admin().syncSeconds()).isEqualTo(5);

    Map<String, String> noStore = new java.util.HashMap<>();
    noStore.put("events.url", null);
    noStore.put("conversations.shared", "true");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), noStore))
        .hasMessageContaining("conversations.shared needs an event store");
  }

  @Test
  void theEventStoreUrlIsShownWithoutItsCredentials() {
    assertThatThrownBy(
            () ->
                new ServerConfig.Events(
                    "jdbc:mysql://db/ab?user=u&password=hunter2", null, null, null))
        .hasMessageContaining("found 'jdbc:mysql://db/ab?...'")
        .hasMessageNotContaining("hunter2");
    assertThat(
            new ServerConfig.Events(
                    "jdbc:postgresql://u:hunter2@db/ab?ssl=true", "u", "PGPASS", null)
                .toString())
        .contains("jdbc:postgresql://***@db/ab?...")
        .doesNotContain("hunter2");
    assertThat(ServerConfig.Events.redact("jdbc:sqlite:events/a.db"))
        .isEqualTo("jdbc:sqlite:events/a.db");
  }

  @Test
  void fileOverridesDefaultsAndFlagsOverrideTheFile(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("s.yaml");
    Files.writeString(
        f,
        "http:\n  port: 9000\nbatching:\n  maxBatch: 8\nskills:\n  candidates:\n    bst: /x/bst.txt\n");
    ServerConfig c = ConfigLoader.load(f, Map.of("http.port", "9100", "logs.dir", "/tmp/chatlogs"));
    assertThat(c.http().port()).isEqualTo(9100);
    assertThat(c.http().maxFrameBytes()).isEqualTo(65536);
    assertThat(c.batching().maxBatch()).isEqualTo(8);
    assertThat(c.batching().maxWaitMillis()).isZero();
    assertThat(c.skills().candidates()).containsEntry("bst", Path.of("/x/bst.txt"));
    assertThat(c.logs().dir()).isEqualTo(Path.of("/tmp/chatlogs"));
  }

  @Test
  void theBackboneIsTheEmbeddedDefaultUnlessANameOrPathIsGiven() throws Exception {
    assertThat(ConfigLoader.defaultsOnly().skills().backbone())
        .as("null = all-minilm-l6-v2")
        .isNull();
    assertThat(
            ConfigLoader.load(null, Map.of("skills.backbone", "bge-small-en-v1.5"))
                .skills()
                .backbone())
        .isEqualTo("bge-small-en-v1.5");
    assertThat(
            ConfigLoader.load(null, Map.of("skills.backbone", "/models/bert")).skills().backbone())
        .isEqualTo("/models/bert");
  }

  @Test
  void candidatePoolsAreFp32UnlessInt8IsAsked() throws Exception {
    assertThat(ConfigLoader.defaultsOnly().skills().poolPrecision()).isEqualTo(PoolPrecision.FP32);
    assertThat(
            ConfigLoader.load(null, Map.of("skills.poolPrecision", "int8"))
                .skills()
                .poolPrecision())
        .isEqualTo(PoolPrecision.INT8);
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("skills.poolPrecision", "fp16")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("skills.poolPrecision must be fp32 or int8, found 'fp16'");
  }

  @Test
  void nullLogDirTurnsLogsOff() throws Exception {
    java.util.HashMap<String, String> o = new java.util.HashMap<>();
    o.put("logs.dir", null);
    assertThat(ConfigLoader.load(null, o).logs().dir()).isNull();
  }

  @Test
  void unknownKeysAreRefusedByName(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("s.yaml");
    Files.writeString(f, "http:\n  prot: 9000\n");
    assertThatThrownBy(() -> ConfigLoader.load(f, Map.of()))
        .hasMessageContaining("unknown key 'http.prot'");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("batching.size", "3")))
        .hasMessageContaining("unknown key 'batching.size'");
  }

  @Test
  void badValuesNameTheFieldTheRuleAndTheValue() throws Exception {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("batching.maxBatch", "0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batching.maxBatch must be in 1..1024, found 0");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("batching.workers", "-1")))
        .hasMessageContaining(
            "batching.workers must be in 0..64 (0: one per engine thread), found -1");
    ServerConfig.Batching one = ConfigLoader.load(null, Map.of("batching.workers", "1")).batching();
    assertThat(one.workersFor(2)).isEqualTo(1);
    assertThat(one.threadsPerWorker(2)).as("one loop keeps every engine thread").isEqualTo(2);
    assertThat(
            ConfigLoader.load(null, Map.of("batching.workers", "3")).batching().threadsPerWorker(2))
        .as("never below one")
        .isEqualTo(1);
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("http.port", "70000")))
        .hasMessageContaining("http.port must be in 0..65535");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("agent.textTruncate", "4")))
        .hasMessageContaining("agent.textTruncate must be in 8..512 word pieces, found 4");
  }

  @Test
  void printedYamlReadsBackToTheSameConfig(@TempDir Path tmp) throws Exception {
    ServerConfig c = ConfigLoader.load(null, Map.of("http.port", "1234", "skills.default", "bst"));
    Path f = tmp.resolve("back.yaml");
    Files.writeString(f, ConfigLoader.toYaml(c));
    assertThat(ConfigLoader.load(f, Map.of())).isEqualTo(c);
  }
}
