package io.dockercache.distributor.kubernetes;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The cluster the distributor's tests run against, in the Fabric8 mock API server (CRUD mode): the
 * cache Service (NodePort 30500), Nodes with InternalIPs, the Service's EndpointSlices as the
 * EndpointSlice controller would write them, and a node root with containerd only.
 */
final class FakeCluster {

  static final String NAMESPACE = "docker-cache";
  static final String SERVICE = "docker-cache";
  /** This node, as the test profile's docker_cache_node_name says. */
  static final String SELF = "node-1";

  private final KubernetesClient client;
  private final Path nodeRoot;

  FakeCluster(KubernetesClient client, Path nodeRoot) {
    this.client = client;
    this.nodeRoot = nodeRoot;
  }

  /**
   * Empties the API server and the node root, then: a control-plane node {@code cp-1} (10.0.0.5)
   * that runs no cache pod, {@code node-1} (this node, 10.0.0.9), {@code node-2} (10.0.0.12),
   * {@code node-3} (10.0.0.13), the Service, and no EndpointSlice.
   */
  void reset() throws IOException {
    deleteTree(nodeRoot);
    Files.createDirectories(nodeRoot.resolve("etc/containerd"));
    Files.writeString(nodeRoot.resolve("etc/containerd/config.toml"),
        "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".registry]\n  config_path = \"/etc/containerd/certs.d\"\n");
    client.services().inAnyNamespace().delete();
    client.discovery().v1().endpointSlices().inAnyNamespace().delete();
    client.nodes().delete();
    client.v1().events().inAnyNamespace().delete();
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata()
        .build()).createOr(r -> r.update());
    client.services().inNamespace(NAMESPACE).resource(new ServiceBuilder()
        .withNewMetadata().withName(SERVICE).withNamespace(NAMESPACE).endMetadata()
        .withNewSpec().withType("NodePort").withExternalTrafficPolicy("Local")
        .addNewPort().withPort(5000).withNodePort(30500).endPort().endSpec()
        .build()).create();
    client.nodes().resource(node("cp-1", Map.of("node-role.kubernetes.io/control-plane", ""), "10.0.0.5")).create();
    client.nodes().resource(node("node-1", Map.of(), "10.0.0.9")).create();
    client.nodes().resource(node("node-2", Map.of(), "10.0.0.12")).create();
    client.nodes().resource(node("node-3", Map.of(), "10.0.0.13")).create();
  }

  /** Creates or replaces the EndpointSlice {@code name} of {@code service}. */
  void slice(String name, String service, Endpoint... endpoints) {
    client.discovery().v1().endpointSlices().inNamespace(NAMESPACE).resource(new EndpointSliceBuilder()
        .withNewMetadata().withName(name).withNamespace(NAMESPACE)
          .addToLabels("kubernetes.io/service-name", service).endMetadata()
        .withAddressType("IPv4")
        .withEndpoints(endpoints)
        .addNewPort().withName("registry").withPort(5000).withProtocol("TCP").endPort()
        .build()).createOr(r -> r.update());
  }

  /** A cache pod's endpoint on {@code node}; {@code ready} as the controller sets it from the pod. */
  static Endpoint pod(String node, Boolean ready) {
    return new EndpointBuilder().withAddresses("10.244." + Math.abs(node.hashCode() % 200) + ".7")
        .withNodeName(node).withNewConditions().withReady(ready).withServing(ready)
        .withTerminating(false).endConditions().build();
  }

  Path hostsToml() {
    return nodeRoot.resolve("etc/containerd/certs.d/docker.io/hosts.toml");
  }

  String hostsTomlText() throws IOException {
    return Files.exists(hostsToml()) ? Files.readString(hostsToml()) : "";
  }

  /** The [host."..."] table names of our hosts.toml, in file order. */
  List<String> hostsTomlMirrors() throws IOException {
    return hostsTomlText().lines().filter(l -> l.startsWith("[host.\""))
        .map(l -> l.substring("[host.\"".length(), l.length() - "\"]".length())).toList();
  }

  String annotation(String node, String key) {
    Map<String, String> annotations = client.nodes().withName(node).get().getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }

  private static Node node(String name, Map<String, String> labels, String ip) {
    return new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
        .withNewStatus().addNewAddress().withType("InternalIP").withAddress(ip).endAddress()
        .addNewAddress().withType("Hostname").withAddress(name).endAddress().endStatus().build();
  }

  interface Check {
    boolean ok() throws Exception;
  }

  static void await(Check check, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(100);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (Files.exists(root)) {
      try (Stream<Path> paths = Files.walk(root)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }
}
