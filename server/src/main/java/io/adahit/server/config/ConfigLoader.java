package io.adahit.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.adahit.agents.ranker.PoolPrecision;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Builds a {@link ServerConfig} in three layers: the defaults file inside the jar ({@code
 * io/adahit/server/default-server.yaml}, which documents every key), then a user YAML file, then
 * overrides by dotted key (what the {@code serve} flags set). An unknown key is an error naming it,
 * so a typo never passes silently.
 *
 * <pre>{@code
 * ServerConfig c = ConfigLoader.load(Path.of("my-server.yaml"), Map.of("http.port", "8080"));
 * }</pre>
 */
public final class ConfigLoader {

  /** The classpath resource holding every default. */
  public static final String DEFAULTS = "io/adahit/server/default-server.yaml";

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          // paths as written (Jackson's default writes file: URIs, absolute)
          .registerModule(
              new com.fasterxml.jackson.databind.module.SimpleModule()
                  .addSerializer(
                      Path.class,
                      new com.fasterxml.jackson.databind.ser.std.ToStringSerializer(Path.class)))
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private ConfigLoader() {}

  /**
   * @param file a YAML file overriding some defaults, or null
   * @param overrides dotted key → value (e.g. {@code "batching.maxBatch" → "16"}); a null value
   *     sets the key to null
   * @throws IOException if {@code file} cannot be read
   * @throws IllegalArgumentException naming the key for an unknown key or a bad value
   */
  public static ServerConfig load(Path file, Map<String, String> overrides) throws IOException {
    return load(file, System.getenv(), overrides);
  }

  /**
   * The environment variables that set config keys (for a Kubernetes ConfigMap or Secret), applied
   * over the file and under the overrides. An unset or empty variable sets nothing.
   */
  public static final Map<String, String> ENVIRONMENT = envKeys();

  private static Map<String, String> envKeys() {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    m.put("ADAHIT_EVENTS_URL", "events.url");
    m.put("ADAHIT_EVENTS_USER", "events.user");
    m.put("ADAHIT_EVENTS_PASSWORD_ENV", "events.passwordEnv");
    m.put("ADAHIT_EVENTS_REPLICA", "events.replica");
    m.put("ADAHIT_CONVERSATIONS_SHARED", "conversations.shared");
    m.put("ADAHIT_ADMIN_SYNC_SECONDS", "admin.syncSeconds");
    m.put("ADAHIT_ADMIN_TOKEN_FILE", "admin.tokenFile");
    return java.util.Collections.unmodifiableMap(m);
  }

  /**
   * {@link #load(Path, Map)} with the environment given (tests).
   *
   * @param env variable → value; the {@link #ENVIRONMENT} variables in it override the file
   */
  public static ServerConfig load(Path file, Map<String, String> env, Map<String, String> overrides)
      throws IOException {
    ObjectNode tree = defaults();
    if (file != null) {
      if (!Files.isRegularFile(file)) {
        throw new NoSuchFileException(file.toString(), null, "server config file not found");
      }
      JsonNode user = YAML.readTree(file.toFile());
      if (user != null && !user.isMissingNode() && !user.isNull()) {
        if (!user.isObject()) {
          throw new IllegalArgumentException(
              "config " + file + ": expected a mapping of sections, found " + user.getNodeType());
        }
        merge(tree, (ObjectNode) user, "");
      }
    }
    for (Map.Entry<String, String> e : ENVIRONMENT.entrySet()) {
      String value = env.get(e.getKey());
      if (value != null && !value.isEmpty()) {
        set(tree, e.getValue(), value);
      }
    }
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      set(tree, e.getKey(), e.getValue());
    }
    try {
      return YAML.treeToValue(tree, Raw.class).toConfig();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      String why =
          root instanceof IllegalArgumentException ? root.getMessage() : e.getOriginalMessage();
      throw new IllegalArgumentException(
          "config" + (file == null ? "" : " " + file) + ": " + why, e);
    }
  }

  /** The configuration as YAML, in the defaults file's shape. */
  public static String toYaml(ServerConfig c) {
    try {
      com.fasterxml.jackson.databind.node.ObjectNode tree = YAML.valueToTree(c);
      com.fasterxml.jackson.databind.node.ObjectNode skills = (ObjectNode) tree.get("skills");
      skills.set("default", skills.remove("defaultSkill"));
      ObjectNode admin = (ObjectNode) tree.get("admin");
      if (admin != null && admin.hasNonNull("token")) {
        admin.put("token", "***"); // never print the secret
      }
      return YAML.writeValueAsString(tree);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The defaults alone. */
  public static ServerConfig defaultsOnly() {
    try {
      return load(null, Map.of());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ObjectNode defaults() throws IOException {
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(DEFAULTS)) {
      if (in == null) {
        throw new NoSuchFileException(
            "classpath:" + DEFAULTS, null, "server defaults missing from the jar");
      }
      return (ObjectNode) YAML.readTree(in);
    }
  }

  private static void merge(ObjectNode into, ObjectNode from, String prefix) {
    for (Map.Entry<String, JsonNode> e : from.properties()) {
      String key = prefix + e.getKey();
      JsonNode current = into.get(e.getKey());
      if (current == null) {
        throw new IllegalArgumentException("config: unknown key '" + key + "'");
      }
      if (current.isObject() && e.getValue().isObject() && !key.equals("skills.candidates")) {
        merge((ObjectNode) current, (ObjectNode) e.getValue(), key + ".");
      } else {
        into.set(e.getKey(), e.getValue());
      }
    }
  }

  private static void set(ObjectNode tree, String dotted, String value) {
    String[] parts = dotted.split("\\.");
    ObjectNode node = tree;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonNode child = node.get(parts[i]);
      if (child == null || !child.isObject()) {
        throw new IllegalArgumentException("config: unknown key '" + dotted + "'");
      }
      node = (ObjectNode) child;
    }
    String last = parts[parts.length - 1];
    if (!node.has(last) && !dotted.startsWith("skills.candidates.")) {
      throw new IllegalArgumentException("config: unknown key '" + dotted + "'");
    }
    node.set(
        last,
        value == null
            ? JsonNodeFactory.instance.nullNode()
            : JsonNodeFactory.instance.textNode(value));
  }

  /** The file's shape, mapped by Jackson and then validated by the records. */
  private record Raw(
      @JsonProperty("http") ServerConfig.Http http,
      @JsonProperty("grpc") ServerConfig.Grpc grpc,
      @JsonProperty("skills") RawSkills skills,
      @JsonProperty("agent") ServerConfig.Agent agent,
      @JsonProperty("batching") ServerConfig.Batching batching,
      @JsonProperty("rank") ServerConfig.Rank rank,
      @JsonProperty("conversations") ServerConfig.Conversations conversations,
      @JsonProperty("logs") ServerConfig.Logs logs,
      @JsonProperty("shutdown") ServerConfig.Shutdown shutdown,
      @JsonProperty("admin") ServerConfig.Admin admin,
      @JsonProperty("events") ServerConfig.Events events,
      @JsonProperty("experiments")
          java.util.List<io.adahit.server.experiments.Experiment> experiments) {

    ServerConfig toConfig() {
      return new ServerConfig(
          http,
          grpc,
          skills == null ? null : skills.toSkills(),
          agent,
          batching,
          rank,
          conversations,
          logs,
          shutdown,
          admin,
          events,
          experiments);
    }
  }

  private record RawSkills(
      @JsonProperty("dir") Path dir,
      @JsonProperty("default") String defaultSkill,
      @JsonProperty("candidates") Map<String, Path> candidates,
      @JsonProperty("cacheDir") Path cacheDir,
      @JsonProperty("backbone") String backbone,
      @JsonProperty("poolPrecision") String poolPrecision) {

    ServerConfig.Skills toSkills() {
      return new ServerConfig.Skills(
          dir, defaultSkill, candidates, cacheDir, backbone, precision());
    }

    private PoolPrecision precision() {
      return poolPrecision == null
          ? null
          : PoolPrecision.parse(poolPrecision, "config: skills.poolPrecision");
    }
  }
}
