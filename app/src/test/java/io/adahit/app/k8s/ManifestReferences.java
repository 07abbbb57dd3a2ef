package io.adahit.app.k8s;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressServiceBackend;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that the objects of one set of manifests (a folder applied together) refer to each other
 * correctly, which the API types alone cannot tell: every ConfigMap, Secret (and key) and
 * PersistentVolumeClaim a pod uses is defined, every volume mount names a volume, probes and
 * Services name container ports that exist, selectors select a workload's pods, Ingresses and
 * autoscalers name an existing Service or Deployment. Objects created outside the manifests (the
 * Ingress TLS Secret) are named in {@code external}.
 *
 * <pre>{@code
 * List<String> problems = new ManifestReferences(docs, Set.of("Secret/adahit-tls")).problems();
 * }</pre>
 */
final class ManifestReferences {

  private static final Pattern ENV_REF = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  private final List<KubernetesManifests.Doc> docs;
  private final Set<String> external;
  private final List<String> problems = new ArrayList<>();

  ManifestReferences(List<KubernetesManifests.Doc> docs, Set<String> external) {
    this.docs = docs;
    this.external = external;
  }

  /** Every broken reference, one sentence each; empty when all hold. */
  List<String> problems() {
    problems.clear();
    Map<String, PodTemplateSpec> pods = new LinkedHashMap<>();
    for (KubernetesManifests.Doc d : docs) {
      HasMetadata r = d.resource();
      if (r instanceof Deployment dep) {
        pods.put(d.where(), dep.getSpec().getTemplate());
        checkSelector(d, dep.getSpec().getSelector(), dep.getSpec().getTemplate());
      } else if (r instanceof StatefulSet sts) {
        pods.put(d.where(), sts.getSpec().getTemplate());
        checkSelector(d, sts.getSpec().getSelector(), sts.getSpec().getTemplate());
        require(
            d,
            find(Service.class, sts.getSpec().getServiceName()) != null,
            "serviceName '"
                + sts.getSpec().getServiceName()
                + "' is no Service of these manifests");
      } else if (r instanceof Job job) {
        pods.put(d.where(), job.getSpec().getTemplate());
      }
    }
    for (KubernetesManifests.Doc d : docs) {
      HasMetadata r = d.resource();
      if (r instanceof Deployment || r instanceof StatefulSet || r instanceof Job) {
        Set<String> claimTemplates = new HashSet<>();
        if (r instanceof StatefulSet sts && sts.getSpec().getVolumeClaimTemplates() != null) {
          sts.getSpec()
              .getVolumeClaimTemplates()
              .forEach(c -> claimTemplates.add(c.getMetadata().getName()));
        }
        checkPod(d, pods.get(d.where()), claimTemplates);
      } else if (r instanceof Service svc) {
        checkService(d, svc, pods);
      } else if (r instanceof Ingress ing) {
        checkIngress(d, ing);
      } else if (r instanceof HorizontalPodAutoscaler hpa) {
        var ref = hpa.getSpec().getScaleTargetRef();
        require(
            d,
            "Deployment".equals(ref.getKind()) && find(Deployment.class, ref.getName()) != null,
            "scaleTargetRef "
                + ref.getKind()
                + " '"
                + ref.getName()
                + "' is no Deployment of these manifests");
      } else if (r instanceof PodDisruptionBudget pdb) {
        require(
            d,
            pods.values().stream().anyMatch(p -> selects(pdb.getSpec().getSelector(), p)),
            "selector "
                + pdb.getSpec().getSelector().getMatchLabels()
                + " selects no workload's pods");
      }
    }
    return List.copyOf(problems);
  }

  private void checkSelector(
      KubernetesManifests.Doc d, LabelSelector selector, PodTemplateSpec template) {
    require(
        d,
        selects(selector, template),
        "selector "
            + selector.getMatchLabels()
            + " does not select its own pod template's labels "
            + template.getMetadata().getLabels());
  }

  private static boolean selects(LabelSelector selector, PodTemplateSpec template) {
    return selects(selector == null ? null : selector.getMatchLabels(), template);
  }

  private static boolean selects(Map<String, String> labels, PodTemplateSpec template) {
    Map<String, String> have =
        template.getMetadata() == null ? null : template.getMetadata().getLabels();
    return labels != null
        && !labels.isEmpty()
        && have != null
        && have.entrySet().containsAll(labels.entrySet());
  }

  private void checkPod(
      KubernetesManifests.Doc d, PodTemplateSpec template, Set<String> claimTemplates) {
    Set<String> volumes = new HashSet<>(claimTemplates);
    for (Volume v : template.getSpec().getVolumes()) {
      volumes.add(v.getName());
      if (v.getConfigMap() != null) {
        require(
            d,
            find(ConfigMap.class, v.getConfigMap().getName()) != null,
            "volume '"
                + v.getName()
                + "': ConfigMap '"
                + v.getConfigMap().getName()
                + "' is not defined");
      }
      if (v.getSecret() != null) {
        require(
            d,
            secretKeys(v.getSecret().getSecretName()) != null,
            "volume '"
                + v.getName()
                + "': Secret '"
                + v.getSecret().getSecretName()
                + "' is not defined");
      }
      if (v.getPersistentVolumeClaim() != null) {
        String claim = v.getPersistentVolumeClaim().getClaimName();
        require(
            d,
            find(PersistentVolumeClaim.class, claim) != null,
            "volume '" + v.getName() + "': PersistentVolumeClaim '" + claim + "' is not defined");
      }
    }
    for (Container c : template.getSpec().getContainers()) {
      String who = "container '" + c.getName() + "'";
      Set<String> envNames = new HashSet<>();
      for (EnvVar e : c.getEnv()) {
        envNames.add(e.getName());
        var from = e.getValueFrom();
        if (from != null && from.getSecretKeyRef() != null) {
          Set<String> keys = secretKeys(from.getSecretKeyRef().getName());
          require(
              d,
              keys != null && keys.contains(from.getSecretKeyRef().getKey()),
              who
                  + " env "
                  + e.getName()
                  + ": Secret '"
                  + from.getSecretKeyRef().getName()
                  + "' with key '"
                  + from.getSecretKeyRef().getKey()
                  + "' is not defined");
        }
        if (from != null && from.getConfigMapKeyRef() != null) {
          ConfigMap cm = find(ConfigMap.class, from.getConfigMapKeyRef().getName());
          require(
              d,
              cm != null && cm.getData().containsKey(from.getConfigMapKeyRef().getKey()),
              who
                  + " env "
                  + e.getName()
                  + ": ConfigMap key '"
                  + from.getConfigMapKeyRef().getKey()
                  + "' is not defined");
        }
        if (from != null
            && from.getResourceFieldRef() != null
            && from.getResourceFieldRef().getContainerName() != null) {
          require(
              d,
              c.getName().equals(from.getResourceFieldRef().getContainerName()),
              who
                  + " env "
                  + e.getName()
                  + ": resourceFieldRef names container '"
                  + from.getResourceFieldRef().getContainerName()
                  + "'");
        }
      }
      for (EnvFromSource e : c.getEnvFrom()) {
        if (e.getConfigMapRef() != null) {
          require(
              d,
              find(ConfigMap.class, e.getConfigMapRef().getName()) != null,
              who + " envFrom: ConfigMap '" + e.getConfigMapRef().getName() + "' is not defined");
        }
        if (e.getSecretRef() != null) {
          require(
              d,
              secretKeys(e.getSecretRef().getName()) != null,
              who + " envFrom: Secret '" + e.getSecretRef().getName() + "' is not defined");
        }
      }
      for (VolumeMount m : c.getVolumeMounts()) {
        require(
            d,
            volumes.contains(m.getName()),
            who + " mounts '" + m.getName() + "', which is no volume of the pod");
        if (m.getSubPathExpr() != null) {
          Matcher x = ENV_REF.matcher(m.getSubPathExpr());
          while (x.find()) {
            require(
                d,
                envNames.contains(x.group(1)),
                who
                    + " mount '"
                    + m.getName()
                    + "': subPathExpr uses $("
                    + x.group(1)
                    + "), which is not an env variable of the container");
          }
        }
      }
      Set<String> portNames = new HashSet<>();
      Set<Integer> portNumbers = new HashSet<>();
      for (ContainerPort p : c.getPorts()) {
        portNumbers.add(p.getContainerPort());
        if (p.getName() != null) {
          portNames.add(p.getName());
        }
      }
      for (Probe p :
          new Probe[] {c.getStartupProbe(), c.getReadinessProbe(), c.getLivenessProbe()}) {
        if (p != null && p.getHttpGet() != null) {
          checkPort(d, who + " httpGet probe", p.getHttpGet().getPort(), portNames, portNumbers);
        }
        if (p != null && p.getGrpc() != null) {
          require(
              d,
              portNumbers.contains(p.getGrpc().getPort()),
              who + " grpc probe: port " + p.getGrpc().getPort() + " is not a container port");
        }
      }
    }
  }

  private void checkPort(
      KubernetesManifests.Doc d,
      String who,
      IntOrString port,
      Set<String> names,
      Set<Integer> numbers) {
    if (port.getStrVal() != null) {
      require(
          d,
          names.contains(port.getStrVal()),
          who + ": port '" + port.getStrVal() + "' is no named container port " + names);
    } else {
      require(
          d,
          numbers.contains(port.getIntVal()),
          who + ": port " + port.getIntVal() + " is not a container port");
    }
  }

  private void checkService(
      KubernetesManifests.Doc d, Service svc, Map<String, PodTemplateSpec> pods) {
    List<PodTemplateSpec> selected =
        pods.values().stream().filter(p -> selects(svc.getSpec().getSelector(), p)).toList();
    require(
        d,
        !selected.isEmpty(),
        "selector " + svc.getSpec().getSelector() + " selects no workload's pods");
    for (ServicePort p : svc.getSpec().getPorts()) {
      for (PodTemplateSpec pod : selected) {
        Set<String> names = new HashSet<>();
        Set<Integer> numbers = new HashSet<>();
        pod.getSpec()
            .getContainers()
            .forEach(
                c ->
                    c.getPorts()
                        .forEach(
                            cp -> {
                              numbers.add(cp.getContainerPort());
                              if (cp.getName() != null) {
                                names.add(cp.getName());
                              }
                            }));
        checkPort(d, "port '" + p.getName() + "' targetPort", p.getTargetPort(), names, numbers);
      }
    }
  }

  private void checkIngress(KubernetesManifests.Doc d, Ingress ing) {
    Set<String> tlsHosts = new HashSet<>();
    if (ing.getSpec().getTls() != null) {
      ing.getSpec()
          .getTls()
          .forEach(
              t -> {
                tlsHosts.addAll(t.getHosts());
                require(
                    d,
                    secretKeys(t.getSecretName()) != null
                        || external.contains("Secret/" + t.getSecretName()),
                    "tls Secret '"
                        + t.getSecretName()
                        + "' is neither defined nor listed as created outside the manifests");
              });
    }
    for (IngressRule rule : ing.getSpec().getRules()) {
      require(
          d, tlsHosts.contains(rule.getHost()), "host '" + rule.getHost() + "' has no TLS entry");
      for (HTTPIngressPath path : rule.getHttp().getPaths()) {
        IngressServiceBackend b = path.getBackend().getService();
        Service svc = find(Service.class, b.getName());
        require(
            d,
            svc != null,
            "path " + path.getPath() + ": Service '" + b.getName() + "' is not defined");
        if (svc != null) {
          String port = b.getPort().getName();
          require(
              d,
              svc.getSpec().getPorts().stream()
                  .anyMatch(
                      p ->
                          port != null
                              ? port.equals(p.getName())
                              : Objects.equals(b.getPort().getNumber(), p.getPort())),
              "path "
                  + path.getPath()
                  + ": Service '"
                  + b.getName()
                  + "' has no port "
                  + (port != null ? port : b.getPort().getNumber()));
        }
      }
    }
  }

  /**
   * The keys of a Secret of these manifests (data and stringData), or null when it is not defined.
   */
  private Set<String> secretKeys(String name) {
    Secret s = find(Secret.class, name);
    if (s == null) {
      return null;
    }
    Set<String> keys = new HashSet<>();
    if (s.getData() != null) {
      keys.addAll(s.getData().keySet());
    }
    if (s.getStringData() != null) {
      keys.addAll(s.getStringData().keySet());
    }
    return keys;
  }

  /** The object of this type and name, or null. */
  <T extends HasMetadata> T find(Class<T> type, String name) {
    return docs.stream()
        .map(KubernetesManifests.Doc::resource)
        .filter(type::isInstance)
        .map(type::cast)
        .filter(r -> r.getMetadata().getName().equals(name))
        .findFirst()
        .orElse(null);
  }

  private void require(KubernetesManifests.Doc d, boolean ok, String problem) {
    if (!ok) {
      problems.add(d.where() + ": " + problem);
    }
  }
}
