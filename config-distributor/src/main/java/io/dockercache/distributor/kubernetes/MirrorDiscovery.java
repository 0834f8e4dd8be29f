package io.dockercache.distributor.kubernetes;

import io.dockercache.distributor.config.DistributorConfig;
import io.dockercache.distributor.reconcile.Mirror;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;

/**
 * The mirror address when {@code docker_cache_host} is not set, found as the seed's playbook did:
 * the cache Service's NodePort on a control-plane node's InternalIP.
 */
@ApplicationScoped
public class MirrorDiscovery {

  static final List<String> CONTROL_PLANE_LABELS =
      List.of("node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master");

  private final KubernetesClient client;
  private final DistributorConfig config;

  MirrorDiscovery(KubernetesClient client, DistributorConfig config) {
    this.client = client;
    this.config = config;
  }

  /** The discovered mirror; a {@link DiscoveryException} says what is missing. */
  public Mirror discover() throws DiscoveryException {
    String where = "Service " + config.serviceNamespace() + "/" + config.serviceName();
    try {
      Service service = client.services().inNamespace(config.serviceNamespace())
          .withName(config.serviceName()).get();
      if (service == null) {
        throw new DiscoveryException(where + " not found (set docker_cache_host to use another registry)");
      }
      Integer nodePort = service.getSpec() == null || service.getSpec().getPorts() == null ? null
          : service.getSpec().getPorts().stream().map(ServicePort::getNodePort)
              .filter(p -> p != null && p > 0).findFirst().orElse(null);
      if (nodePort == null) {
        throw new DiscoveryException(where + " has no NodePort");
      }
      String ip = controlPlaneIp().orElseThrow(() -> new DiscoveryException(
          "no control-plane node (label " + CONTROL_PLANE_LABELS.get(0) + ") with an InternalIP"));
      return Mirror.of(ip + ":" + nodePort);
    } catch (KubernetesClientException e) {
      throw new DiscoveryException("cannot read " + where + " or the Nodes from the Kubernetes API: "
          + e.getMessage() + " (outside a cluster, set docker_cache_host)");
    }
  }

  private Optional<String> controlPlaneIp() {
    for (String label : CONTROL_PLANE_LABELS) {
      for (Node node : client.nodes().withLabel(label).list().getItems()) {
        Optional<String> ip = node.getStatus() == null || node.getStatus().getAddresses() == null
            ? Optional.empty()
            : node.getStatus().getAddresses().stream().filter(a -> "InternalIP".equals(a.getType()))
                .map(NodeAddress::getAddress).findFirst();
        if (ip.isPresent()) {
          return ip;
        }
      }
    }
    return Optional.empty();
  }
}
