package io.dockercache.distributor.kubernetes;

import static io.dockercache.distributor.kubernetes.FakeCluster.SERVICE;
import static io.dockercache.distributor.kubernetes.FakeCluster.await;
import static io.dockercache.distributor.kubernetes.FakeCluster.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dockercache.distributor.reconcile.Outcome;
import io.dockercache.distributor.reconcile.ReconcileLoop;
import io.dockercache.distributor.reconcile.Reconciler;
import io.dockercache.distributor.reconcile.State;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The mirrors follow the cache pods: the nodes that run a ready one, from the cache Service's
 * EndpointSlices, this node (node-1) first; watched, so a pod that moves is followed at once.
 * Against the Fabric8 mock API server in CRUD mode.
 */
@WithKubernetesTestServer(crud = true)
@QuarkusTest
class EndpointSliceDiscoveryTest {

  private static final String NODE_1 = "http://10.0.0.9:30500";
  private static final String NODE_2 = "http://10.0.0.12:30500";
  private static final String NODE_3 = "http://10.0.0.13:30500";
  private static final String ADMINS = "https://admin-mirror.example";

  @KubernetesTestServer
  KubernetesServer server;

  @Inject
  Reconciler reconciler;

  @Inject
  ReconcileLoop loop;

  @Inject
  ServiceWatch serviceWatch;

  @ConfigProperty(name = "docker_cache_node_root")
  String nodeRoot;

  private FakeCluster cluster;

  @BeforeEach
  void cluster() throws IOException {
    cluster = new FakeCluster(server.getClient(), Path.of(nodeRoot));
    cluster.reset();
    // docker too: /etc/docker with the admin's daemon.json (dockerd is not running).
    Files.createDirectories(daemonJson().getParent());
    Files.writeString(daemonJson(), "{\"registry-mirrors\": [\"" + ADMINS + "\"], \"debug\": true}\n");
  }

  @Test
  void severalReplicas_everyReadyNode_ownFirst_orderStableWhateverTheSlices() throws IOException {
    // Two slices, listed in no particular order; a pod of another Service on cp-1 is not ours.
    cluster.slice("docker-cache-x1", SERVICE, pod("node-3", true), pod("node-1", true));
    cluster.slice("docker-cache-x2", SERVICE, pod("node-2", true), pod("node-3", true));
    cluster.slice("other-y1", "other-service", pod("cp-1", true));

    Outcome outcome = reconciler.reconcile();

    assertEquals(State.APPLIED, outcome.state(), outcome::toString);
    List<String> expected = List.of(NODE_1, NODE_2, NODE_3);
    assertEquals(expected, cluster.hostsTomlMirrors(), cluster.hostsTomlText());
    assertEquals(withAdmins(expected), registryMirrors(), "ours first, in order, then the admin's");
    assertEquals(String.join(",", expected), cluster.annotation(FakeCluster.SELF, NodeReporter.MIRROR));

    cluster.slice("docker-cache-x1", SERVICE, pod("node-1", true), pod("node-3", true));
    Outcome again = reconciler.reconcile();

    assertFalse(again.changed(), "same pods, same order, nothing written: " + again);
    assertEquals(expected, cluster.hostsTomlMirrors());
  }

  @Test
  void noCachePodOnThisNode_theNextCacheNodeByNameFirst() throws IOException {
    cluster.slice("docker-cache-x1", SERVICE, pod("node-3", true), pod("cp-1", true));

    Outcome outcome = reconciler.reconcile();

    // Ring by name: cp-1, node-3; node-1 starts at the first after its own name.
    assertEquals(State.APPLIED, outcome.state(), outcome::toString);
    assertEquals(List.of(NODE_3, "http://10.0.0.5:30500"), cluster.hostsTomlMirrors());
  }

  @Test
  void podMovesBetweenNodes_watchFollows_oldMirrorRemoved_cleanupLeavesTheAdmins() throws Exception {
    cluster.slice("docker-cache-x1", SERVICE, pod("node-2", true));
    loop.start();
    try {
      await(() -> cluster.hostsTomlMirrors().equals(List.of(NODE_2)), "first reconcile on node-2");
      await(() -> registryMirrors().equals(withAdmins(List.of(NODE_2))), "daemon.json with node-2");

      // The pod is rescheduled: the old one becomes unready, then a new one is ready on node-3.
      cluster.slice("docker-cache-x1", SERVICE, pod("node-2", false), pod("node-3", true));

      await(() -> cluster.hostsTomlMirrors().equals(List.of(NODE_3)), "hosts.toml follows the pod");
      await(() -> registryMirrors().equals(withAdmins(List.of(NODE_3))), "daemon.json follows the pod");
      assertFalse(insecureRegistries().contains("10.0.0.12:30500"), "node-2's insecure entry is gone too");
      await(() -> NODE_3.equals(cluster.annotation(FakeCluster.SELF, NodeReporter.MIRROR)), "annotation");
    } finally {
      serviceWatch.stop();
    }

    Outcome cleanup = reconciler.cleanup();

    assertEquals(State.REMOVED, cleanup.state(), cleanup::toString);
    assertEquals(List.of(ADMINS), registryMirrors(), "only ours removed, including the mirror that moved");
    assertEquals(List.of(), insecureRegistries());
    assertTrue(daemonJsonTree().path("debug").asBoolean(), "the admin's other keys kept");
    assertFalse(Files.exists(cluster.hostsToml()), "our hosts.toml removed");
  }

  @Test
  void noneReady_failedReported_nodeKeepsItsMirrors() throws IOException {
    cluster.slice("docker-cache-x1", SERVICE, pod("node-2", true));
    assertEquals(State.APPLIED, reconciler.reconcile().state());
    String hostsToml = cluster.hostsTomlText();
    byte[] daemonJson = Files.readAllBytes(daemonJson());

    cluster.slice("docker-cache-x1", SERVICE, pod("node-2", false));
    Outcome outcome = reconciler.reconcile();

    assertEquals(State.FAILED, outcome.state(), outcome::toString);
    assertTrue(outcome.message().contains("no ready cache pod"), outcome.message());
    assertEquals(hostsToml, cluster.hostsTomlText(), "hosts.toml left as it was, never emptied");
    assertEquals(new String(daemonJson), Files.readString(daemonJson()), "daemon.json left as it was");
    assertEquals("failed", cluster.annotation(FakeCluster.SELF, NodeReporter.STATE));
  }

  @Test
  void noSliceAtAll_nothingWritten() throws IOException {
    Outcome outcome = reconciler.reconcile();

    assertEquals(State.FAILED, outcome.state(), outcome::toString);
    assertTrue(outcome.message().contains("no ready cache pod"), outcome.message());
    assertFalse(Files.exists(cluster.hostsToml()), "a node is never pointed at nothing");
    assertEquals(List.of(ADMINS), registryMirrors());
  }

  private Path daemonJson() {
    return Path.of(nodeRoot, "etc/docker/daemon.json");
  }

  private JsonNode daemonJsonTree() throws IOException {
    return new ObjectMapper().readTree(Files.readAllBytes(daemonJson()));
  }

  private List<String> registryMirrors() throws IOException {
    return texts(daemonJsonTree().path("registry-mirrors"));
  }

  private List<String> insecureRegistries() throws IOException {
    return texts(daemonJsonTree().path("insecure-registries"));
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(e -> out.add(e.asText()));
    return out;
  }

  private static List<String> withAdmins(List<String> ours) {
    List<String> all = new ArrayList<>(ours);
    all.add(ADMINS);
    return all;
  }
}
