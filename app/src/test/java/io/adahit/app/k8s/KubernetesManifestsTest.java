package io.adahit.app.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every manifest of docker/k8s and eval/k8s, read offline into the Kubernetes API types with
 * unknown fields and wrong value types refused ({@link KubernetesManifests}), their references to
 * each other checked ({@link ManifestReferences}), and the wiring between them and the server's
 * settings and the image: the database password variable, the PostgreSQL Service, the admin token's
 * mount, the shard count, the skill and the image of the eval Job.
 */
class KubernetesManifestsTest {

  private static final Path ROOT = Path.of("..");
  private static final Path SERVER = ROOT.resolve("docker/k8s");
  private static final Path EVAL = ROOT.resolve("eval/k8s");

  /** Created with kubectl, never committed (docker/k8s/secrets.yaml says how). */
  private static final Set<String> EXTERNAL = Set.of("Secret/adahit-tls");

  private final KubernetesManifests manifests = new KubernetesManifests();

  @Test
  void everyServerManifestIsAValidKubernetesObjectAndItsReferencesHold() throws Exception {
    List<KubernetesManifests.Doc> docs = manifests.readFolder(SERVER);
    assertThat(docs)
        .extracting(d -> d.resource().getKind() + "/" + d.resource().getMetadata().getName())
        .contains(
            "Deployment/adahit-server",
            "Service/adahit-server",
            "Ingress/adahit-grpc",
            "Ingress/adahit-web",
            "PodDisruptionBudget/adahit-server",
            "HorizontalPodAutoscaler/adahit-server",
            "ConfigMap/adahit-server-config",
            "Secret/adahit-postgres",
            "Secret/adahit-admin",
            "StatefulSet/adahit-postgres",
            "Service/adahit-postgres",
            "PersistentVolumeClaim/adahit-logs",
            "PersistentVolumeClaim/adahit-adapters");
    assertThat(new ManifestReferences(docs, EXTERNAL).problems()).isEmpty();
  }

  @Test
  void everyEvalManifestIsAValidKubernetesObjectAndItsReferencesHold() throws Exception {
    List<KubernetesManifests.Doc> docs = manifests.readFolder(EVAL);
    assertThat(docs)
        .extracting(d -> d.resource().getKind() + "/" + d.resource().getMetadata().getName())
        .containsExactly(
            "ConfigMap/adahit-eval-run",
            "PersistentVolumeClaim/adahit-data",
            "PersistentVolumeClaim/adahit-results",
            "Job/adahit-eval-shards",
            "Job/adahit-eval-merge");
    assertThat(new ManifestReferences(docs, Set.of()).problems()).isEmpty();
  }

  @Test
  void theServerConfigMapIsWiredToTheSecretPostgresAndTheMounts() throws Exception {
    ManifestReferences refs = new ManifestReferences(manifests.readFolder(SERVER), EXTERNAL);
    JsonNode config =
        new YAMLMapper()
            .readTree(
                refs.find(ConfigMap.class, "adahit-server-config").getData().get("server.yaml"));
    Container server =
        container(
            refs.find(Deployment.class, "adahit-server")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers());

    String passwordEnv = config.path("events").path("passwordEnv").asText();
    EnvVar password =
        server.getEnv().stream()
            .filter(e -> e.getName().equals(passwordEnv))
            .findFirst()
            .orElseThrow(
                () ->
                    new AssertionError(
                        "events.passwordEnv " + passwordEnv + " is not set in the Deployment"));
    assertThat(password.getValueFrom().getSecretKeyRef().getName()).isEqualTo("adahit-postgres");
    assertThat(config.path("events").path("url").asText())
        .startsWith("jdbc:postgresql://adahit-postgres:5432/");
    assertThat(config.path("events").path("user").asText()).isEqualTo("adahit");
    assertThat(config.path("conversations").path("shared").asBoolean()).isTrue();
    assertThat(config.path("admin").path("syncSeconds").asInt()).isEqualTo(5);

    assertThat(server.getArgs()).containsExactly("serve", "--config", "/etc/adahit/server.yaml");
    assertThat(mountPaths(server))
        .contains("/etc/adahit/server.yaml", "/etc/adahit/admin", "/data/logs");
    assertThat(Path.of(config.path("admin").path("tokenFile").asText()).getParent())
        .hasToString("/etc/adahit/admin");
    assertThat(Path.of(config.path("logs").path("dir").asText())).hasToString("/data/logs");

    int grace = config.path("shutdown").path("graceSeconds").asInt();
    int preStop =
        Integer.parseInt(server.getLifecycle().getPreStop().getExec().getCommand().get(1));
    assertThat(
            refs.find(Deployment.class, "adahit-server")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getTerminationGracePeriodSeconds())
        .as("SIGKILL must not cut the server's own shutdown short")
        .isGreaterThan(preStop + grace);
  }

  @Test
  void theServerConfigMapsSettingsLoadWithTheServersOwnConfigLoader(
      @org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    ManifestReferences refs = new ManifestReferences(manifests.readFolder(SERVER), EXTERNAL);
    Path file = tmp.resolve("server.yaml");
    java.nio.file.Files.writeString(
        file, refs.find(ConfigMap.class, "adahit-server-config").getData().get("server.yaml"));
    io.adahit.server.config.ServerConfig c =
        io.adahit.server.config.ConfigLoader.load(file, Map.of(), Map.of());
    assertThat(c.conversations().shared()).isTrue();
    assertThat(c.events().url()).startsWith("jdbc:postgresql://adahit-postgres:5432/");
    assertThat(c.admin().syncSeconds()).isEqualTo(5);
    assertThat(c.shutdown().graceSeconds()).isEqualTo(20);
  }

  @Test
  void theEvalJobRunsTheServerImageOnAnExistingSkillWithOneShardCount() throws Exception {
    ManifestReferences eval = new ManifestReferences(manifests.readFolder(EVAL), Set.of());
    ManifestReferences server = new ManifestReferences(manifests.readFolder(SERVER), EXTERNAL);
    Job shards = eval.find(Job.class, "adahit-eval-shards");
    Container c = container(shards.getSpec().getTemplate().getSpec().getContainers());

    assertThat(shards.getSpec().getCompletionMode()).isEqualTo("Indexed");
    assertThat(env(c, "NUM_SHARDS"))
        .as("NUM_SHARDS = completions")
        .isEqualTo(shards.getSpec().getCompletions().toString());
    assertThat(shards.getSpec().getParallelism())
        .isLessThanOrEqualTo(shards.getSpec().getCompletions());
    assertThat(ROOT.resolve("skills").resolve(env(c, "SKILL")).resolve("candidates.txt"))
        .isRegularFile();
    // the Jobs run the eval image (docker/Dockerfile --target eval: the server image plus
    // adahit-cli.jar), of the
    // same tag as the Deployment's server image
    String image =
        container(
                server
                    .find(Deployment.class, "adahit-server")
                    .getSpec()
                    .getTemplate()
                    .getSpec()
                    .getContainers())
            .getImage();
    assertThat(image).startsWith("adahit-server:");
    String evalImage = image.replaceFirst("^adahit-server:", "adahit-eval:");
    assertThat(c.getImage()).isEqualTo(evalImage);
    assertThat(
            container(
                    eval.find(Job.class, "adahit-eval-merge")
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers())
                .getImage())
        .isEqualTo(evalImage);
    assertThat(c.getArgs().get(0))
        .contains("/app/bin/entrypoint.sh eval_model")
        .contains("--skills-dir /app/skills")
        .contains("-rf \"$run/shard-${JOB_COMPLETION_INDEX}-of-${NUM_SHARDS}.json\"");
    String dockerfile = Files.readString(ROOT.resolve("docker/Dockerfile"));
    assertThat(dockerfile)
        .as("the paths the Job uses are the image's")
        .contains("/app/bin/")
        .contains("COPY --chown=adahit:adahit skills /app/skills")
        .contains("/app/adahit-cli.jar")
        .contains("FROM server AS eval")
        .contains("ENV ADAHIT_JAR=/app/adahit-cli.jar");
  }

  @Test
  void aMisspelledFieldIsRefusedWithItsPath() {
    String yaml =
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
                - name: web
                  image: nginx
                  imagePullPolcy: Always
        """;
    assertThatThrownBy(() -> manifests.read(Path.of("bad.yaml"), yaml))
        .isInstanceOf(KubernetesManifests.ManifestException.class)
        .hasMessageContaining("bad.yaml document 1 (Deployment web)")
        .hasMessageContaining(
            "unknown field 'imagePullPolcy' at spec.template.spec.containers[0].imagePullPolcy");
    assertThatThrownBy(
            () ->
                manifests.read(
                    Path.of("bad.yaml"),
                    "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selectr: {app: x}}\n"))
        .hasMessageContaining("unknown field 'selectr' at spec.selectr");
  }

  @Test
  void aValueOfTheWrongTypeIsRefused() {
    String quotedReplicas =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: \"3\"}\n";
    assertThatThrownBy(() -> manifests.read(Path.of("t.yaml"), quotedReplicas))
        .isInstanceOf(KubernetesManifests.ManifestException.class)
        .hasMessageContaining("invalid value at spec.replicas");
    String numericEnv =
        """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: j}
        spec:
          template:
            spec:
              containers: [{name: c, image: x, env: [{name: N, value: 4}]}]
        """;
    assertThatThrownBy(() -> manifests.read(Path.of("t.yaml"), numericEnv))
        .hasMessageContaining("invalid value at spec.template.spec.containers[0].env[0].value");
    String boolAnnotation =
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, annotations: {prometheus.io/scrape: true}}\n";
    assertThatThrownBy(() -> manifests.read(Path.of("t.yaml"), boolAnnotation))
        .hasMessageContaining("invalid value at metadata.annotations");
  }

  @Test
  void anUnknownKindOrVersionIsRefused() {
    assertThatThrownBy(
            () ->
                manifests.read(
                    Path.of("t.yaml"),
                    "apiVersion: autoscaling/v2beta1\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\n"))
        .hasMessageContaining(
            "apiVersion 'autoscaling/v2beta1' kind 'HorizontalPodAutoscaler' is not one of the known types");
  }

  @Test
  void brokenReferencesAreNamed() throws Exception {
    List<KubernetesManifests.Doc> docs =
        new ArrayList<>(
            manifests.read(
                Path.of("t.yaml"),
                """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
                - name: web
                  image: nginx
                  ports: [{name: http, containerPort: 80}]
                  readinessProbe: {httpGet: {path: /, port: htp}}
                  env: [{name: P, valueFrom: {secretKeyRef: {name: db, key: password}}}]
                  volumeMounts: [{name: logs, mountPath: /logs, subPathExpr: $(POD_NAME)}]
              volumes: [{name: logs, persistentVolumeClaim: {claimName: logs}}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec: {selector: {app: wbe}, ports: [{name: http, port: 80, targetPort: http}]}
        """));
    assertThat(new ManifestReferences(docs, Set.of()).problems())
        .containsExactlyInAnyOrder(
            "t.yaml document 1 (Deployment web): container 'web' env P: Secret 'db' with key 'password' is not defined",
            "t.yaml document 1 (Deployment web): volume 'logs': PersistentVolumeClaim 'logs' is not defined",
            "t.yaml document 1 (Deployment web): container 'web' mount 'logs': subPathExpr uses $(POD_NAME), which is not an env variable of the container",
            "t.yaml document 1 (Deployment web): container 'web' httpGet probe: port 'htp' is no named container port [http]",
            "t.yaml document 2 (Service web): selector {app=wbe} selects no workload's pods");
  }

  private static Container container(List<Container> containers) {
    assertThat(containers).hasSize(1);
    return containers.get(0);
  }

  private static String env(Container c, String name) {
    return c.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .map(EnvVar::getValue)
        .findFirst()
        .orElseThrow(() -> new AssertionError("container " + c.getName() + " has no env " + name));
  }

  private static List<String> mountPaths(Container c) {
    return c.getVolumeMounts().stream().map(VolumeMount::getMountPath).toList();
  }
}
