package io.adahit.app.k8s;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads Kubernetes manifests offline and strictly into the Kubernetes API types of fabric8's
 * kubernetes-model (a Maven test dependency; nothing is downloaded): a field the type does not
 * have, or a value of the wrong JSON type (a quoted number where the API wants an integer, a number
 * or boolean where it wants a string), is an error naming the file, the document, the object and
 * the field's path, as {@code kubectl apply --validate=strict} would refuse it. fabric8's types
 * keep unknown fields in an "additional properties" map; this reader takes that map away, so
 * unknown fields fail instead.
 *
 * <pre>{@code
 * List<KubernetesManifests.Doc> docs = new KubernetesManifests().readFolder(Path.of("../docker/k8s"));
 * }</pre>
 */
final class KubernetesManifests {

  /** One document of a manifest file, as its API type. */
  record Doc(Path file, int index, HasMetadata resource) {
    String where() {
      return file
          + " document "
          + index
          + " ("
          + resource.getKind()
          + " "
          + resource.getMetadata().getName()
          + ")";
    }
  }

  /** A manifest that Kubernetes would refuse. */
  static final class ManifestException extends RuntimeException {
    ManifestException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** apiVersion + "/" + kind → API type, for every kind these manifests use. */
  static final Map<String, Class<? extends HasMetadata>> TYPES =
      Map.ofEntries(
          Map.entry("v1/ConfigMap", ConfigMap.class),
          Map.entry("v1/Secret", Secret.class),
          Map.entry("v1/Service", Service.class),
          Map.entry("v1/PersistentVolumeClaim", PersistentVolumeClaim.class),
          Map.entry("apps/v1/Deployment", Deployment.class),
          Map.entry("apps/v1/StatefulSet", StatefulSet.class),
          Map.entry("batch/v1/Job", Job.class),
          Map.entry("networking.k8s.io/v1/Ingress", Ingress.class),
          Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
          Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class));

  private final ObjectMapper yaml = new YAMLMapper();
  private final ObjectMapper strict = strictMapper();

  private static ObjectMapper strictMapper() {
    SimpleModule noAdditionalProperties =
        new SimpleModule()
            .setDeserializerModifier(
                new BeanDeserializerModifier() {
                  @Override
                  public BeanDeserializerBuilder updateBuilder(
                      DeserializationConfig config,
                      BeanDescription bean,
                      BeanDeserializerBuilder builder) {
                    builder.setAnySetter(null);
                    builder.setIgnoreUnknownProperties(false);
                    return builder;
                  }
                });
    ObjectMapper m =
        JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .addModule(noAdditionalProperties)
            .build();
    for (CoercionInputShape shape :
        List.of(CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean)) {
      m.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
    }
    return m;
  }

  /**
   * Every document of every *.yaml / *.yml file in {@code dir} (not recursive), files in name
   * order.
   */
  List<Doc> readFolder(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files =
          s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
              .sorted()
              .toList();
    }
    if (files.isEmpty()) {
      throw new IOException("no manifests (*.yaml) in " + dir);
    }
    List<Doc> out = new ArrayList<>();
    for (Path f : files) {
      out.addAll(read(f, Files.readString(f)));
    }
    return out;
  }

  /** The documents of one manifest file's text ({@code file} names it in errors). */
  List<Doc> read(Path file, String text) throws IOException {
    List<Doc> out = new ArrayList<>();
    try (MappingIterator<JsonNode> it = yaml.readerFor(JsonNode.class).readValues(text)) {
      int index = 0;
      while (it.hasNext()) {
        JsonNode node = it.next();
        index++;
        if (node == null || node.isNull() || node.isMissingNode()) {
          continue;
        }
        out.add(new Doc(file, index, parse(file + " document " + index, node)));
      }
    }
    return out;
  }

  private HasMetadata parse(String where, JsonNode node) {
    if (!node.isObject()) {
      throw new ManifestException(
          where + ": a manifest is a mapping, found " + node.getNodeType(), null);
    }
    String apiVersion = node.path("apiVersion").asText("");
    String kind = node.path("kind").asText("");
    Class<? extends HasMetadata> type = TYPES.get(apiVersion + "/" + kind);
    if (type == null) {
      throw new ManifestException(
          where
              + ": apiVersion '"
              + apiVersion
              + "' kind '"
              + kind
              + "' is not one of the known types "
              + new TreeMap<>(TYPES).keySet(),
          null);
    }
    String name = node.path("metadata").path("name").asText("");
    if (name.isEmpty()) {
      throw new ManifestException(where + " (" + kind + "): metadata.name is required", null);
    }
    String what = where + " (" + kind + " " + name + ")";
    try {
      return strict.treeToValue(node, type);
    } catch (UnrecognizedPropertyException e) {
      throw new ManifestException(
          what
              + ": unknown field '"
              + e.getPropertyName()
              + "' at "
              + path(e)
              + " (not a field of "
              + e.getReferringClass().getSimpleName()
              + ")",
          e);
    } catch (JsonProcessingException e) {
      throw new ManifestException(
          what
              + ": invalid value at "
              + path(e instanceof JsonMappingException j ? j : null)
              + ": "
              + e.getOriginalMessage(),
          e);
    }
  }

  /** "spec.template.spec.containers[0].imagePullPolcy" from Jackson's reference chain. */
  static String path(JsonMappingException e) {
    if (e == null || e.getPath().isEmpty()) {
      return "(top level)";
    }
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        b.append(b.length() == 0 ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      }
    }
    return b.toString();
  }
}
