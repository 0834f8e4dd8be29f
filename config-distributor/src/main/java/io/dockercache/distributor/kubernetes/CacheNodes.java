package io.dockercache.distributor.kubernetes;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The nodes that run a ready cache pod, as the cache Service's EndpointSlices name them, in the
 * order one node tries them. With {@code externalTrafficPolicy: Local} only these nodes answer on
 * the NodePort, each with its own pod.
 */
final class CacheNodes {

  private CacheNodes() {}

  /**
   * The names of the nodes with a ready endpoint. A missing {@code ready} counts as ready, as the
   * discovery.k8s.io/v1 API defines it and kube-proxy reads it; an endpoint without a node name
   * cannot be reached through a NodePort and is left out.
   */
  static SortedSet<String> ready(List<EndpointSlice> slices) {
    SortedSet<String> nodes = new TreeSet<>();
    for (EndpointSlice slice : slices) {
      for (Endpoint endpoint : slice.getEndpoints() == null ? List.<Endpoint>of() : slice.getEndpoints()) {
        boolean ready = endpoint.getConditions() == null || endpoint.getConditions().getReady() == null
            || endpoint.getConditions().getReady();
        if (ready && endpoint.getNodeName() != null && !endpoint.getNodeName().isBlank()) {
          nodes.add(endpoint.getNodeName());
        }
      }
    }
    return nodes;
  }

  /**
   * All of {@code nodes} as a ring sorted by name, starting at this node, or, for a node without a
   * cache pod, at the next cache node after its name. The order is the same at every reconcile,
   * every cache node serves itself first, and the other nodes spread over the replicas.
   */
  static List<String> orderedFor(Optional<String> self, SortedSet<String> nodes) {
    List<String> ordered = new ArrayList<>(self.map(nodes::tailSet).orElse(nodes));
    for (String node : nodes) {
      if (!ordered.contains(node)) {
        ordered.add(node);
      }
    }
    return ordered;
  }
}
