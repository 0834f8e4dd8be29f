package io.dockercache.distributor.kubernetes;

import io.dockercache.distributor.config.DistributorConfig;
import io.dockercache.distributor.reconcile.Outcome;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Tells the cluster what happened on this node: annotations on its Node (always the latest
 * outcome) and an Event for each change or failure. Needs patch on Nodes and create on Events.
 */
@ApplicationScoped
public class NodeReporter {

  public static final String MIRROR = "docker-cache/mirror";
  public static final String STATE = "docker-cache/state";
  public static final String MESSAGE = "docker-cache/message";
  static final String COMPONENT = "docker-cache-config-distributor";
  private static final int MAX_MESSAGE = 1000;

  private static final ExecutorService CALLS = Executors.newCachedThreadPool(r -> {
    Thread thread = new Thread(r, "node-report");
    thread.setDaemon(true);
    return thread;
  });

  private final KubernetesClient client;
  private final DistributorConfig config;

  NodeReporter(KubernetesClient client, DistributorConfig config) {
    this.client = client;
    this.config = config;
  }

  /**
   * Reports {@code outcome}; returns a line saying where, or why reporting was skipped. Outside a
   * cluster the client may retry for long, so the calls get {@code docker_cache_report_timeout}.
   */
  public String report(Outcome outcome) {
    if (config.nodeName().filter(n -> !n.isBlank()).isEmpty()) {
      return "reporting skipped: docker_cache_node_name is not set (not in a cluster)";
    }
    String node = config.nodeName().get();
    CompletableFuture<String> call = CompletableFuture.supplyAsync(() -> report(node, outcome), CALLS);
    try {
      return call.get(config.reportTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      return "reporting skipped: the Kubernetes API did not answer within " + config.reportTimeout();
    } catch (ExecutionException e) {
      return "reporting skipped: " + e.getCause();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "reporting skipped: interrupted";
    }
  }

  private String report(String node, Outcome outcome) {
    try {
      Node updated = client.nodes().withName(node).edit(n -> {
        Map<String, String> annotations = n.getMetadata().getAnnotations() == null
            ? new HashMap<>() : new HashMap<>(n.getMetadata().getAnnotations());
        annotations.put(MIRROR, outcome.mirror().orElse(""));
        annotations.put(STATE, outcome.state().label());
        annotations.put(MESSAGE, shorten(outcome.message()));
        n.getMetadata().setAnnotations(annotations);
        return n;
      });
      if (updated == null) {
        return "reporting skipped: Node " + node + " not found";
      }
      if (outcome.changed() || !outcome.ok()) {
        client.v1().events().inNamespace(config.eventNamespace()).resource(event(node, updated.getMetadata().getUid(), outcome)).create();
      }
      return "reported on Node " + node;
    } catch (KubernetesClientException e) {
      return "reporting skipped: Kubernetes API not reachable or refused (" + firstLine(e.getMessage()) + ")";
    }
  }

  private Event event(String node, String uid, Outcome outcome) {
    String now = Instant.now().toString();
    return new EventBuilder()
        .withNewMetadata()
          .withName(node + ".docker-cache." + UUID.randomUUID().toString().substring(0, 8))
          .withNamespace(config.eventNamespace())
        .endMetadata()
        .withNewInvolvedObject().withApiVersion("v1").withKind("Node").withName(node).withUid(uid).endInvolvedObject()
        .withType(outcome.ok() ? "Normal" : "Warning")
        .withReason(outcome.state().reason())
        .withMessage(shorten(outcome.message()))
        .withNewSource().withComponent(COMPONENT).withHost(node).endSource()
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withCount(1)
        .build();
  }

  private static String shorten(String message) {
    return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE - 3) + "...";
  }

  private static String firstLine(String message) {
    String text = String.valueOf(message);
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
