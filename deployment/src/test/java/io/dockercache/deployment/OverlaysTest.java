package io.dockercache.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every overlay renders, parses strictly, and keeps the install's contract values. */
class OverlaysTest {

  static final String NAMESPACE = "docker-cache";
  static final Set<String> SECRET_KEYS = Set.of("docker_cache_htpasswd", "docker_cache_azure_account_key",
      "docker_cache_remote_password");
  /** What config-distributor calls: "resource verb" pairs, nothing more (its kubernetes package). */
  static final Set<String> DISTRIBUTOR_PERMISSIONS = Set.of(
      "nodes get", "nodes patch",
      "services get", "services list", "services watch",
      "discovery.k8s.io/endpointslices get", "discovery.k8s.io/endpointslices list",
      "discovery.k8s.io/endpointslices watch",
      "events create");

  @ParameterizedTest
  @ValueSource(strings = {"filesystem", "azure", "custom-registry"})
  void overlay_rendersKnownKinds_allInTheNamespace(String overlay) {
    Rendered rendered = Rendered.of("overlays/" + overlay, false);
    rendered.get(Namespace.class, NAMESPACE);
    for (HasMetadata object : rendered.all()) {
      boolean clusterScoped = object instanceof Namespace || object instanceof ClusterRole
          || object instanceof ClusterRoleBinding;
      assertEquals(clusterScoped ? null : NAMESPACE, object.getMetadata().getNamespace(),
          overlay + ": namespace of " + object.getKind() + " " + object.getMetadata().getName());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"filesystem", "azure", "custom-registry"})
  void overlay_distributor_hostPidOnEveryNodeWithProbesOn9000(String overlay) {
    Rendered rendered = Rendered.of("overlays/" + overlay, false);
    DaemonSet daemonSet = rendered.get(DaemonSet.class, "config-distributor");
    PodSpec pod = daemonSet.getSpec().getTemplate().getSpec();
    assertEquals(Boolean.TRUE, pod.getHostPID(), "hostPID: dockerd's pid must be signalable");
    assertTrue(pod.getTolerations().stream().anyMatch(t -> "Exists".equals(t.getOperator())
            && t.getKey() == null && t.getEffect() == null),
        "tolerates every taint (operator Exists without key or effect): " + pod.getTolerations());
    Container container = only(pod.getContainers());
    assertProbes(container);
    assertEquals("/host", env(container, "DOCKER_CACHE_NODE_ROOT"));
    assertEquals("spec.nodeName", container.getEnv().stream()
        .filter(e -> e.getName().equals("DOCKER_CACHE_NODE_NAME")).findFirst()
        .orElseThrow(() -> new AssertionError("DOCKER_CACHE_NODE_NAME unset")).getValueFrom().getFieldRef().getFieldPath());
    for (Volume volume : pod.getVolumes()) {
      if (volume.getHostPath() != null) {
        assertEquals("Directory", volume.getHostPath().getType(), "hostPath " + volume.getName() + " mounted as a directory");
        assertTrue(container.getVolumeMounts().stream().anyMatch(m -> m.getName().equals(volume.getName())
            && m.getMountPath().equals("/host" + volume.getHostPath().getPath())),
            "hostPath " + volume.getHostPath().getPath() + " below the node root /host");
      }
    }
    assertTrue(pod.getVolumes().stream().anyMatch(v -> v.getHostPath() != null && v.getHostPath().getPath().equals("/etc")),
        "the node's /etc (docker, containerd) is mounted");
    assertTrue(pod.getVolumes().stream().anyMatch(v -> v.getHostPath() != null && v.getHostPath().getPath().equals("/var/run")),
        "the node's /var/run (docker.pid, docker.sock) is mounted");
    assertEquals(Boolean.TRUE, container.getSecurityContext().getReadOnlyRootFilesystem());
    assertResources(container);
    assertConfigFromGeneratedMap(rendered, pod, container, overlay);
  }

  @ParameterizedTest
  @ValueSource(strings = {"filesystem", "azure", "custom-registry"})
  void overlay_rbac_onlyWhatTheDistributorCalls(String overlay) {
    Rendered rendered = Rendered.of("overlays/" + overlay, false);
    Set<String> granted = new TreeSet<>();
    List<PolicyRule> rules = new ArrayList<>();
    rendered.all(ClusterRole.class).forEach(r -> rules.addAll(r.getRules()));
    rendered.all(Role.class).forEach(r -> rules.addAll(r.getRules()));
    for (PolicyRule rule : rules) {
      assertEquals(1, rule.getApiGroups().size(), "one API group per rule: " + rule);
      String group = rule.getApiGroups().get(0);
      for (String resource : rule.getResources()) {
        for (String verb : rule.getVerbs()) {
          granted.add((group.isEmpty() ? "" : group + "/") + resource + " " + verb);
        }
      }
    }
    assertEquals(new TreeSet<>(DISTRIBUTOR_PERMISSIONS), granted);
    for (ClusterRole role : rendered.all(ClusterRole.class)) {
      assertFalse(role.getRules().stream().anyMatch(r -> r.getResources().contains("services")
              || r.getResources().contains("events") || r.getResources().contains("endpointslices")),
          "Services, EndpointSlices and Events only in the namespace, not cluster-wide");
    }
    List<Subject> subjects = new ArrayList<>();
    rendered.all(ClusterRoleBinding.class).forEach(b -> subjects.addAll(b.getSubjects()));
    rendered.all(RoleBinding.class).forEach(b -> subjects.addAll(b.getSubjects()));
    assertFalse(subjects.isEmpty());
    for (Subject subject : subjects) {
      assertEquals("ServiceAccount", subject.getKind());
      assertEquals("config-distributor", subject.getName());
      assertEquals(NAMESPACE, subject.getNamespace());
    }
    assertEquals("config-distributor",
        rendered.get(DaemonSet.class, "config-distributor").getSpec().getTemplate().getSpec().getServiceAccountName());
    // Events go to the pod's own namespace, where the Role lets it create them.
    env(only(rendered.get(DaemonSet.class, "config-distributor").getSpec().getTemplate().getSpec().getContainers()),
        "DOCKER_CACHE_EVENT_NAMESPACE", "metadata.namespace");
  }

  @ParameterizedTest
  @ValueSource(strings = {"filesystem", "azure", "custom-registry"})
  void overlay_noSecretInAnyConfigMap(String overlay) throws IOException {
    Rendered rendered = Rendered.of("overlays/" + overlay, false);
    for (ConfigMap map : rendered.all(ConfigMap.class)) {
      for (Map.Entry<String, String> entry : map.getData().entrySet()) {
        for (String key : SECRET_KEYS) {
          assertFalse(entry.getKey().equalsIgnoreCase(key) || entry.getValue().toLowerCase().matches("(?s).*(^|\\n)\\s*" + key + "\\s*:.*"),
              overlay + ": ConfigMap " + map.getMetadata().getName() + " holds " + key);
        }
      }
    }
    ConfigMap config = rendered.generated(ConfigMap.class, "docker-cache-config");
    assertEquals(Files.readString(rendered.dir().resolve("config.yaml")), config.getData().get("config.yaml"),
        "the admin's seed-format config.yaml goes in unchanged");
    JsonNode seed = new YAMLMapper().readTree(config.getData().get("config.yaml"));
    assertTrue(seed.isObject(), "flat YAML map");
    for (Iterator<Map.Entry<String, JsonNode>> it = seed.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      assertTrue(field.getValue().isValueNode() || field.getKey().equals("docker_cache_registries"),
          "flat keys, like the seed's (docker_cache_registries excepted): " + field.getKey());
      assertFalse(SECRET_KEYS.contains(field.getKey()), field.getKey() + " belongs in a Secret");
    }
    assertTrue(seed.path("enable_docker_cache").isBoolean(), "enable_docker_cache is true or false");
  }

  @ParameterizedTest
  @ValueSource(strings = {"filesystem", "azure"})
  void overlay_cache_nodePort30500LocalTrafficToRegistryPort5000_probesOn9000(String overlay) {
    Rendered rendered = Rendered.of("overlays/" + overlay, false);
    Service service = rendered.get(Service.class, "docker-cache");
    assertEquals("NodePort", service.getSpec().getType());
    // Cluster would SNAT every client to a node address, and docker_cache_anonymous_cidrs would
    // let anyone who reaches a node in anonymously.
    assertEquals("Local", service.getSpec().getExternalTrafficPolicy(),
        overlay + ": the cache Service keeps client addresses");
    ServicePort port = only(service.getSpec().getPorts());
    assertEquals(30500, port.getNodePort());
    assertEquals(5000, port.getPort());
    Deployment deployment = rendered.get(Deployment.class, "docker-cache");
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    assertEquals(service.getSpec().getSelector(), deployment.getSpec().getSelector().getMatchLabels());
    assertTrue(deployment.getSpec().getTemplate().getMetadata().getLabels().entrySet()
        .containsAll(service.getSpec().getSelector().entrySet()), "the Service selects the cache's pods");
    Container container = only(pod.getContainers());
    assertEquals(5000, containerPort(container, port.getTargetPort().getStrVal() != null
        ? port.getTargetPort().getStrVal() : null, port.getTargetPort().getIntVal()));
    assertProbes(container);
    assertResources(container);
    assertEquals(Boolean.FALSE, container.getSecurityContext().getAllowPrivilegeEscalation());
    assertEquals(Boolean.TRUE, container.getSecurityContext().getReadOnlyRootFilesystem());
    assertEquals(List.of("ALL"), container.getSecurityContext().getCapabilities().getDrop());
    assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken(), "the cache never calls the API");
    assertConfigFromGeneratedMap(rendered, pod, container, overlay);
    Service metrics = rendered.get(Service.class, "docker-cache-metrics");
    assertEquals("ClusterIP", metrics.getSpec().getType(), "metrics are not exposed on the nodes");
    assertEquals(9000, only(metrics.getSpec().getPorts()).getPort());
    String secret = pod.getVolumes().stream().filter(v -> v.getSecret() != null).findFirst()
        .orElseThrow(() -> new AssertionError("no Secret volume")).getSecret().getSecretName();
    assertEquals(rendered.generated(Secret.class, "docker-cache-secrets").getMetadata().getName(), secret);
    assertTrue(rendered.generated(Secret.class, "docker-cache-secrets").getData().containsKey("htpasswd"),
        "htpasswd from a file through secretGenerator");
  }

  @ParameterizedTest
  @ValueSource(strings = {"filesystem", "azure"})
  void overlay_upstreamAuthFile_fromItsOwnGeneratedSecret_mountedWhereConfigYamlPointsIt(String overlay)
      throws IOException {
    Rendered rendered = Rendered.of("overlays/" + overlay, false);
    JsonNode seed = new YAMLMapper().readTree(Files.readString(rendered.dir().resolve("config.yaml")));
    String file = seed.path("docker_cache_upstream_auth_file").asText();
    assertTrue(file.startsWith("/"), overlay + ": docker_cache_upstream_auth_file is set: " + file);
    String dir = file.substring(0, file.lastIndexOf('/'));
    String key = file.substring(file.lastIndexOf('/') + 1);

    Secret secret = rendered.generated(Secret.class, "docker-cache-upstream-auth");
    String json = new String(Base64.getDecoder().decode(secret.getData().get(key)));
    assertEquals(Files.readString(rendered.dir().resolve("upstream-auth.json")), json,
        "the admin's upstream-auth.json, as secretGenerator encodes it");
    assertTrue(new ObjectMapper().readTree(json).path("auths").isObject(),
        "Docker's config.json format: " + json);

    PodSpec pod = rendered.get(Deployment.class, "docker-cache").getSpec().getTemplate().getSpec();
    Volume volume = pod.getVolumes().stream()
        .filter(v -> v.getSecret() != null && v.getSecret().getSecretName().equals(secret.getMetadata().getName()))
        .findFirst().orElseThrow(() -> new AssertionError(overlay + ": no volume of " + secret.getMetadata().getName()));
    assertEquals(Boolean.TRUE, volume.getSecret().getOptional(), "an admin may drop the generator");
    assertTrue(volume.getSecret().getItems() == null || volume.getSecret().getItems().isEmpty(), "every key a file");
    // A directory mount: a subPath would never see the Secret change, and the cache re-reads it.
    assertTrue(only(pod.getContainers()).getVolumeMounts().stream().anyMatch(m -> m.getName().equals(volume.getName())
        && m.getMountPath().equals(dir) && Boolean.TRUE.equals(m.getReadOnly())
        && (m.getSubPath() == null || m.getSubPath().isEmpty())), overlay + ": mounted read-only at " + dir);
  }

  @ParameterizedTest
  @ValueSource(strings = {"filesystem", "azure", "custom-registry"})
  void overlay_configYaml_commentedRegistriesExample_isAHostToHttpsUrlMap(String overlay) throws IOException {
    String config = Files.readString(Tools.deploymentDir().resolve("overlays/" + overlay + "/config.yaml"));
    Matcher block = Pattern.compile("(?m)^# (docker_cache_registries:\\n(?:#   .*\\n)+)").matcher(config);
    assertTrue(block.find(), overlay + ": config.yaml has a commented docker_cache_registries example");
    JsonNode uncommented = new YAMLMapper().readTree(block.group(1).replaceAll("(?m)^# ", ""))
        .path("docker_cache_registries");
    assertTrue(uncommented.isObject() && uncommented.size() >= 2, "a map once uncommented: " + uncommented);
    for (Iterator<Map.Entry<String, JsonNode>> it = uncommented.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      assertTrue(entry.getKey().matches("[a-z0-9.-]+"), "a registry host: " + entry.getKey());
      assertEquals("https://" + entry.getKey(), entry.getValue().asText(), "its upstream URL");
    }
  }

  @Test
  void filesystem_cacheOnALabelledNode_hostPathAtTheConfiguredMountPath() throws IOException {
    Rendered rendered = Rendered.of("overlays/filesystem", false);
    Deployment deployment = rendered.get(Deployment.class, "docker-cache");
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    assertEquals(1, deployment.getSpec().getReplicas(), "one writer per hostPath");
    assertEquals("Recreate", deployment.getSpec().getStrategy().getType(), "never two pods on one hostPath");
    assertEquals(Map.of("docker-cache/storage", "true"), pod.getNodeSelector());
    String mountPath = new YAMLMapper().readTree(Files.readString(rendered.dir().resolve("config.yaml")))
        .path("docker_cache_fs_mount_path").asText("/var/lib/registry");
    Volume storage = pod.getVolumes().stream().filter(v -> v.getHostPath() != null).findFirst()
        .orElseThrow(() -> new AssertionError("no hostPath storage"));
    assertEquals(mountPath, storage.getHostPath().getPath());
    assertTrue(only(pod.getContainers()).getVolumeMounts().stream()
        .anyMatch(m -> m.getName().equals(storage.getName()) && m.getMountPath().equals(mountPath)),
        "mounted at docker_cache_fs_mount_path");
    assertEquals("filesystem", new YAMLMapper().readTree(Files.readString(rendered.dir().resolve("config.yaml")))
        .path("docker_cache_storage_backend").asText());
  }

  @Test
  void azure_severalReplicas_accountKeyFromTheGeneratedSecret_noHostPath() throws IOException {
    Rendered rendered = Rendered.of("overlays/azure", false);
    Deployment deployment = rendered.get(Deployment.class, "docker-cache");
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    assertTrue(deployment.getSpec().getReplicas() > 1, "replicas: " + deployment.getSpec().getReplicas());
    assertTrue(pod.getVolumes().stream().noneMatch(v -> v.getHostPath() != null), "no node storage");
    EnvVar key = only(pod.getContainers()).getEnv().stream()
        .filter(e -> e.getName().equals("DOCKER_CACHE_AZURE_ACCOUNT_KEY")).findFirst()
        .orElseThrow(() -> new AssertionError("DOCKER_CACHE_AZURE_ACCOUNT_KEY unset"));
    assertNotNull(key.getValueFrom().getSecretKeyRef(), "from a Secret");
    Secret secret = rendered.generated(Secret.class, "docker-cache-secrets");
    assertEquals(secret.getMetadata().getName(), key.getValueFrom().getSecretKeyRef().getName());
    assertEquals(Files.readString(rendered.dir().resolve("azure-account-key")),
        new String(Base64.getDecoder().decode(secret.getData().get(key.getValueFrom().getSecretKeyRef().getKey()))),
        "the key file's bytes, encoded by secretGenerator, not by hand");
    assertEquals("azure", new YAMLMapper().readTree(Files.readString(rendered.dir().resolve("config.yaml")))
        .path("docker_cache_storage_backend").asText());
  }

  @Test
  void customRegistry_onlyTheDistributor_pointedAtDockerCacheHost() throws IOException {
    Rendered rendered = Rendered.of("overlays/custom-registry", false);
    assertTrue(rendered.all(Deployment.class).isEmpty(), "no cache");
    assertTrue(rendered.find(Service.class, "docker-cache").isEmpty(), "no cache Service");
    assertTrue(rendered.all(Secret.class).isEmpty(), "no secrets needed");
    String host = new YAMLMapper().readTree(rendered.generated(ConfigMap.class, "docker-cache-config")
        .getData().get("config.yaml")).path("docker_cache_host").asText();
    assertTrue(host.matches("[A-Za-z0-9.-]+:\\d+"), "docker_cache_host <host>:<port>: " + host);
  }

  @ParameterizedTest
  @ValueSource(strings = {"filesystem", "azure", "custom-registry"})
  void overlay_imagesSetOnceThroughKustomizeImages(String overlay) throws IOException {
    Rendered rendered = Rendered.of("overlays/" + overlay, false);
    JsonNode images = new YAMLMapper().readTree(Files.readString(rendered.dir().resolve("kustomization.yaml"))).path("images");
    assertTrue(images.isArray() && !images.isEmpty(), overlay + " sets images:");
    List<String> expected = new ArrayList<>();
    images.forEach(i -> expected.add(i.path("newName").asText() + ":" + i.path("newTag").asText()));
    List<Container> containers = Stream.concat(
        rendered.all(Deployment.class).stream().flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().stream()),
        rendered.all(DaemonSet.class).stream().flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().stream()))
        .toList();
    assertFalse(containers.isEmpty());
    for (Container container : containers) {
      assertTrue(expected.contains(container.getImage()), container.getName() + " image " + container.getImage()
          + " comes from images: " + expected);
      String program = container.getName();
      assertTrue(Files.isRegularFile(Tools.deploymentDir().resolve("docker/" + program + ".jvm.Dockerfile")),
          "a JVM Dockerfile for " + program);
      assertTrue(Files.isRegularFile(Tools.deploymentDir().resolve("docker/" + program + ".native.Dockerfile")),
          "a native Dockerfile for " + program);
    }
  }

  /**
   * The images' entrypoint is plain {@code java} (deployment/docker): the heap share must reach the
   * JDK itself, through JAVA_TOOL_OPTIONS; a launcher variable such as JAVA_MAX_MEM_RATIO would be
   * silently ignored.
   */
  @ParameterizedTest
  @ValueSource(strings = {"filesystem", "azure", "custom-registry"})
  void overlay_everyContainer_heapShareThroughJavaToolOptions(String overlay) {
    Rendered rendered = Rendered.of("overlays/" + overlay, false);
    List<Container> containers = Stream.concat(
        rendered.all(Deployment.class).stream().flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().stream()),
        rendered.all(DaemonSet.class).stream().flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().stream()))
        .toList();
    assertFalse(containers.isEmpty());
    for (Container container : containers) {
      Map<String, String> env = new HashMap<>();
      container.getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
      assertFalse(env.containsKey("JAVA_MAX_MEM_RATIO"), container.getName() + ": JAVA_MAX_MEM_RATIO is not read by the image");
      String options = env.get("JAVA_TOOL_OPTIONS");
      assertNotNull(options, container.getName() + " sets JAVA_TOOL_OPTIONS");
      assertTrue(options.matches(".*-XX:MaxRAMPercentage=\\d+(\\.\\d+)?( .*|$)"),
          container.getName() + ": JAVA_TOOL_OPTIONS " + options + " sets -XX:MaxRAMPercentage");
      assertNotNull(container.getResources().getLimits().get("memory"),
          container.getName() + ": a memory limit for the percentage to apply to");
    }
  }

  /** The cache runs as the user its Dockerfile creates (useradd --uid/--gid), unless an overlay chooses root. */
  @Test
  void base_cacheUserIsTheOneItsImageCreates() throws IOException {
    String dockerfile = Files.readString(Tools.deploymentDir().resolve("docker/cache-service.jvm.Dockerfile"));
    Matcher uid = Pattern.compile("useradd [^\\n]*--uid (\\d+) --gid (\\d+)")
        .matcher(dockerfile);
    assertTrue(uid.find(), "cache-service.jvm.Dockerfile creates its user with useradd --uid N --gid N");
    Matcher user = Pattern.compile("(?m)^USER (\\d+):(\\d+)$").matcher(dockerfile);
    assertTrue(user.find(), "cache-service.jvm.Dockerfile runs as USER uid:gid");
    assertEquals(uid.group(1) + ":" + uid.group(2), user.group(1) + ":" + user.group(2), "USER is the created user");
    Rendered azure = Rendered.of("overlays/azure", false);
    var security = azure.get(Deployment.class, "docker-cache").getSpec().getTemplate().getSpec().getSecurityContext();
    assertEquals(Boolean.TRUE, security.getRunAsNonRoot());
    assertEquals(Long.parseLong(uid.group(1)), security.getRunAsUser(), "runAsUser");
    assertEquals(Long.parseLong(uid.group(2)), security.getRunAsGroup(), "runAsGroup");
  }

  @Test
  void monitoring_rendersServiceMonitorSelectingTheMetricsServices() {
    Rendered monitoring = Rendered.of("monitoring", true);
    HasMetadata monitor = monitoring.all().stream().filter(o -> o.getKind().equals("ServiceMonitor")).findFirst()
        .orElseThrow(() -> new AssertionError("no ServiceMonitor"));
    assertTrue(monitoring.all().stream().anyMatch(o -> o.getKind().equals("PrometheusRule")), "PrometheusRule");
    ConfigMap dashboard = monitoring.get(ConfigMap.class, "docker-cache-grafana-dashboard");
    assertTrue(dashboard.getData().containsKey("grafana-dashboard.json"));
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) ((io.fabric8.kubernetes.api.model.GenericKubernetesResource) monitor)
        .getAdditionalProperties().get("spec");
    @SuppressWarnings("unchecked")
    Map<String, String> selector = (Map<String, String>) ((Map<String, Object>) spec.get("selector")).get("matchLabels");
    @SuppressWarnings("unchecked")
    String portName = (String) ((List<Map<String, Object>>) spec.get("endpoints")).get(0).get("port");
    Rendered install = Rendered.of("overlays/filesystem", false);
    List<Service> selected = install.all(Service.class).stream()
        .filter(s -> s.getMetadata().getLabels().entrySet().containsAll(selector.entrySet())).toList();
    assertEquals(Set.of("docker-cache-metrics", "config-distributor-metrics"),
        Set.copyOf(selected.stream().map(s -> s.getMetadata().getName()).toList()));
    for (Service service : selected) {
      ServicePort port = only(service.getSpec().getPorts());
      assertEquals(portName, port.getName());
      assertEquals(9000, port.getPort());
    }
  }

  private static void assertProbes(Container container) {
    assertProbe(container, container.getLivenessProbe(), "/q/health/live", "liveness");
    assertProbe(container, container.getReadinessProbe(), "/q/health/ready", "readiness");
  }

  private static void assertProbe(Container container, Probe probe, String path, String what) {
    assertNotNull(probe, container.getName() + " has a " + what + " probe");
    assertEquals(path, probe.getHttpGet().getPath(), container.getName() + " " + what + " path");
    Integer port = probe.getHttpGet().getPort().getIntVal();
    assertEquals(9000, port != null ? port : containerPort(container, probe.getHttpGet().getPort().getStrVal(), null),
        container.getName() + " " + what + " probe on the management port");
  }

  private static int containerPort(Container container, String name, Integer number) {
    if (name == null) {
      return number;
    }
    return container.getPorts().stream().filter(p -> name.equals(p.getName())).findFirst()
        .orElseThrow(() -> new AssertionError(container.getName() + " has no port named " + name)).getContainerPort();
  }

  private static void assertResources(Container container) {
    assertNotNull(container.getResources().getRequests().get("cpu"), container.getName() + " requests cpu");
    assertNotNull(container.getResources().getRequests().get("memory"), container.getName() + " requests memory");
    assertNotNull(container.getResources().getLimits().get("memory"), container.getName() + " limits memory");
  }

  /** The container reads DOCKER_CACHE_CONFIG from the generated ConfigMap's config.yaml. */
  private static void assertConfigFromGeneratedMap(Rendered rendered, PodSpec pod, Container container, String overlay) {
    String file = env(container, "DOCKER_CACHE_CONFIG");
    ConfigMap generated = rendered.generated(ConfigMap.class, "docker-cache-config");
    Volume volume = pod.getVolumes().stream().filter(v -> v.getConfigMap() != null).findFirst()
        .orElseThrow(() -> new AssertionError(overlay + ": " + container.getName() + " mounts no ConfigMap"));
    assertEquals(generated.getMetadata().getName(), volume.getConfigMap().getName(),
        overlay + ": " + container.getName() + " mounts the generated ConfigMap (hash-suffixed name)");
    // The distributor reconciles when its config changes, which only a directory mount delivers
    // (the kubelet never updates a subPath mount); the cache restarts to pick up changes anyway.
    boolean mustFollowEdits = container.getName().equals("config-distributor");
    assertTrue(container.getVolumeMounts().stream().anyMatch(m -> m.getName().equals(volume.getName())
            && ((!mustFollowEdits && m.getMountPath().equals(file) && "config.yaml".equals(m.getSubPath()))
                || (m.getSubPath() == null && file.equals(m.getMountPath() + "/config.yaml")))),
        overlay + ": " + container.getName() + " has config.yaml at " + file
            + (mustFollowEdits ? " through a directory mount" : ""));
  }

  private static String env(Container container, String name) {
    return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
        .map(EnvVar::getValue).orElseThrow(() -> new AssertionError(container.getName() + " does not set " + name));
  }

  private static String env(Container container, String name, String fieldPath) {
    return container.getEnv().stream().filter(e -> e.getName().equals(name) && e.getValueFrom() != null
            && e.getValueFrom().getFieldRef() != null && fieldPath.equals(e.getValueFrom().getFieldRef().getFieldPath()))
        .findFirst().map(EnvVar::getName).orElseThrow(() -> new AssertionError(
            container.getName() + " does not set " + name + " from " + fieldPath));
  }

  private static <T> T only(List<T> items) {
    if (items == null || items.size() != 1) {
      fail("expected exactly one, got " + items);
    }
    return items.get(0);
  }
}
