package io.dockercache.distributor.kubernetes;

import io.dockercache.distributor.config.DistributorConfig;
import io.dockercache.distributor.reconcile.Mirror;
import io.dockercache.distributor.reconcile.Mirrors;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;

/**
 * The mirrors when {@code docker_cache_host} is not set: the cache Service's NodePort on the
 * InternalIP of every node that runs a ready cache pod, this node first (see {@link CacheNodes}).
 * With the Service's {@code externalTrafficPolicy: Local}, any other node would drop the connection.
 */
@ApplicationScoped
public class MirrorDiscovery {

  /** The label the EndpointSlice controller puts on every slice of a Service. */
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  private final KubernetesClient client;
  private final DistributorConfig config;

  MirrorDiscovery(KubernetesClient client, DistributorConfig config) {
    this.client = client;
    this.config = config;
  }

  /**
   * The discovered mirrors; a {@link DiscoveryException} says what is missing. No ready cache pod
   * is such a case: the caller then leaves the node as it is rather than point it at nothing.
   */
  public Mirrors discover() throws DiscoveryException {
    String where = "Service " + config.serviceNamespace() + "/" + config.serviceName();
    try {
      int nodePort = nodePort(where);
      SortedSet<String> nodes = CacheNodes.ready(slices());
      if (nodes.isEmpty()) {
        throw new DiscoveryException("no ready cache pod behind " + where
            + " (its EndpointSlices list none); the node's mirror settings are left as they are");
      }
      List<Mirror> mirrors = new ArrayList<>();
      for (String node : CacheNodes.orderedFor(config.nodeName().filter(n -> !n.isBlank()), nodes)) {
        // An IPv6 address needs brackets before its port, as in any URL.
        internalIp(node).map(ip -> ip.contains(":") ? "[" + ip + "]" : ip)
            .ifPresent(ip -> mirrors.add(Mirror.of(ip + ":" + nodePort)));
      }
      if (mirrors.isEmpty()) {
        throw new DiscoveryException("the nodes running a ready cache pod " + nodes + " have no InternalIP");
      }
      return new Mirrors(mirrors);
    } catch (KubernetesClientException e) {
      throw new DiscoveryException("cannot read " + where + ", its EndpointSlices or the Nodes from the"
          + " Kubernetes API: " + e.getMessage() + " (outside a cluster, set docker_cache_host)");
    }
  }

  private int nodePort(String where) throws DiscoveryException {
    Service service = client.services().inNamespace(config.serviceNamespace())
        .withName(config.serviceName()).get();
    if (service == null) {
      throw new DiscoveryException(where + " not found (set docker_cache_host to use another registry)");
    }
    Integer port = service.getSpec() == null || service.getSpec().getPorts() == null ? null
        : service.getSpec().getPorts().stream().map(ServicePort::getNodePort)
            .filter(p -> p != null && p > 0).findFirst().orElse(null);
    if (port == null) {
      throw new DiscoveryException(where + " has no NodePort");
    }
    return port;
  }

  private List<EndpointSlice> slices() {
    return client.discovery().v1().endpointSlices().inNamespace(config.serviceNamespace())
        .withLabel(SERVICE_NAME_LABEL, config.serviceName()).list().getItems();
  }

  /** A node that is gone, or has no InternalIP yet, is skipped: the others still serve. */
  private Optional<String> internalIp(String name) {
    Node node = client.nodes().withName(name).get();
    if (node == null || node.getStatus() == null || node.getStatus().getAddresses() == null) {
      return Optional.empty();
    }
    return node.getStatus().getAddresses().stream().filter(a -> "InternalIP".equals(a.getType()))
        .map(NodeAddress::getAddress).findFirst();
  }
}
