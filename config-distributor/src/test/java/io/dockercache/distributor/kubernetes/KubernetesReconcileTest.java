package io.dockercache.distributor.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dockercache.distributor.reconcile.Outcome;
import io.dockercache.distributor.reconcile.ReconcileLoop;
import io.dockercache.distributor.reconcile.Reconciler;
import io.dockercache.distributor.reconcile.State;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import static io.dockercache.distributor.kubernetes.FakeCluster.await;
import static io.dockercache.distributor.kubernetes.FakeCluster.pod;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Discovery, reporting and the Service watch against the Fabric8 mock API server in CRUD mode,
 * on a node root under target/ that has containerd only. The cache pod runs on node-2.
 */
@WithKubernetesTestServer(crud = true)
@QuarkusTest
class KubernetesReconcileTest {

  private static final String NAMESPACE = FakeCluster.NAMESPACE;
  private static final String MIRROR = "http://10.0.0.12:30500";
  private static final String CHECK_STATE = "checks.find { it.name == 'node-configuration' }.data.state";

  @KubernetesTestServer
  KubernetesServer server;

  @Inject
  Reconciler reconciler;

  @Inject
  ReconcileLoop loop;

  @Inject
  ServiceWatch serviceWatch;

  // Management URLs already carry the /q root.
  @TestHTTPResource(value = "/health/ready", management = true)
  URL ready;

  @TestHTTPResource(value = "/metrics", management = true)
  URL metrics;

  @ConfigProperty(name = "docker_cache_node_root")
  String nodeRoot;

  private KubernetesClient client;
  private FakeCluster cluster;

  @BeforeEach
  void cluster() throws IOException {
    client = server.getClient();
    cluster = new FakeCluster(client, Path.of(nodeRoot));
    cluster.reset();
    cluster.slice("docker-cache-abcde", FakeCluster.SERVICE, pod("node-2", true));
  }

  @Test
  void reconcile_discoversMirror_writesHostsTomlAnnotationsAndEvent() throws IOException {
    Outcome outcome = reconciler.reconcile();

    assertEquals(State.APPLIED, outcome.state(), outcome::toString);
    assertEquals(MIRROR, outcome.mirror().orElseThrow(), "the node running the cache pod, not the control plane");
    assertTrue(hostsToml().contains("[host.\"" + MIRROR + "\"]"), hostsToml());
    String ghcr = Files.readString(ghcrHostsToml());
    assertTrue(ghcr.contains("server = \"https://ghcr.io\"") && ghcr.contains("[host.\"" + MIRROR + "\"]"),
        "docker_cache_registries reaches the node: " + ghcr);
    Map<String, String> annotations = client.nodes().withName("node-1").get().getMetadata().getAnnotations();
    assertEquals(MIRROR, annotations.get(NodeReporter.MIRROR));
    assertEquals("applied", annotations.get(NodeReporter.STATE));
    assertTrue(annotations.get(NodeReporter.MESSAGE).contains("containerd"), annotations.toString());
    List<Event> events = client.v1().events().inNamespace("default").list().getItems();
    assertEquals(1, events.size(), () -> "events: " + events);
    assertEquals("MirrorApplied", events.get(0).getReason());
    assertEquals("node-1", events.get(0).getInvolvedObject().getName());
    assertEquals("Node", events.get(0).getInvolvedObject().getKind());

    Outcome again = reconciler.reconcile();

    assertEquals(State.APPLIED, again.state(), again::toString);
    assertEquals(1, client.v1().events().inNamespace("default").list().getItems().size(),
        "no Event when nothing changed");
  }

  @Test
  void reconcile_serviceMissing_failureReportedOnNode() {
    client.services().inNamespace(NAMESPACE).withName("docker-cache").delete();
    awaitServiceGone();

    Outcome outcome = reconciler.reconcile();

    assertEquals(State.FAILED, outcome.state(), outcome::toString);
    assertTrue(outcome.message().contains("Service docker-cache/docker-cache not found"), outcome.message());
    Node node = client.nodes().withName("node-1").get();
    assertEquals("failed", node.getMetadata().getAnnotations().get(NodeReporter.STATE));
    List<Event> events = client.v1().events().inNamespace("default").list().getItems();
    assertEquals(List.of("MirrorFailed"), events.stream().map(Event::getReason).toList());
    assertEquals("Warning", events.get(0).getType());
  }

  @Test
  void readinessAndMetrics_followTheLatestOutcome() {
    reconciler.reconcile();
    given().get(ready).then().statusCode(200).body(CHECK_STATE, equalTo("applied"));
    given().header("Accept", "text/plain; version=0.0.4").get(metrics).then().statusCode(200)
        .body(containsString("docker_cache_distributor_reconciles_total{state=\"applied\""))
        .body(matchesPattern(gauge("docker_cache_distributor_applied", "1")));

    client.services().inNamespace(NAMESPACE).withName("docker-cache").delete();
    awaitServiceGone();
    reconciler.reconcile();

    given().get(ready).then().statusCode(503).body(CHECK_STATE, equalTo("failed"));
    given().header("Accept", "text/plain; version=0.0.4").get(metrics).then()
        .body(matchesPattern(gauge("docker_cache_distributor_applied", "0")));
  }

  @Test
  void cleanup_containerdOnlyNode_removesOursAndReportsRemoved() throws IOException {
    reconciler.reconcile();

    Outcome outcome = reconciler.cleanup();

    assertEquals(State.REMOVED, outcome.state(), outcome::toString);
    assertTrue(outcome.changed(), outcome::toString);
    assertEquals("", hostsToml(), "our hosts.toml removed");
    assertFalse(Files.exists(ghcrHostsToml().getParent()), "ghcr.io's removed with its directory");
    assertFalse(outcome.message().contains("docker:"), "no docker step on a containerd-only node: " + outcome);
    assertFalse(Files.exists(Path.of(nodeRoot, "etc/docker")), "no /etc/docker created");
    assertEquals("removed", client.nodes().withName("node-1").get().getMetadata().getAnnotations()
        .get(NodeReporter.STATE));
  }

  @Test
  void serviceChange_reReconciles() throws Exception {
    loop.start();
    try {
      await(() -> hostsToml().contains(MIRROR), "first reconcile");

      client.services().inNamespace(NAMESPACE).withName("docker-cache").edit(s -> {
        s.getSpec().getPorts().get(0).setNodePort(30600);
        return s;
      });

      await(() -> hostsToml().contains("[host.\"http://10.0.0.12:30600\"]"), "reconcile after the Service change");
      await(() -> "http://10.0.0.12:30600".equals(client.nodes().withName("node-1").get().getMetadata()
          .getAnnotations().get(NodeReporter.MIRROR)), "annotation after the Service change");
    } finally {
      // The resync period is an hour: without the watch, nothing else reconciles in later tests.
      serviceWatch.stop();
    }
  }

  /** A sample line of an unlabelled gauge in the Prometheus text format, 1 or 1.0. */
  private static String gauge(String name, String value) {
    return "(?s).*\n" + name + " " + value + "(\\.0)?\n.*";
  }

  private Path ghcrHostsToml() {
    return Path.of(nodeRoot, "etc/containerd/certs.d/ghcr.io/hosts.toml");
  }

  private String hostsToml() throws IOException {
    return cluster.hostsTomlText();
  }

  private void awaitServiceGone() {
    try {
      await(() -> client.services().inNamespace(NAMESPACE).withName("docker-cache").get() == null, "delete");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
