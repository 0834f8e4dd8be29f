package io.dockercache.distributor.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CacheNodesTest {

  @Test
  void ready_readyOrUnsetOnly_withANodeName_oncePerNode() {
    List<EndpointSlice> slices = List.of(
        slice(endpoint("n-b", true), endpoint("n-a", false), endpoint(null, true)),
        slice(endpoint("n-c", null), endpoint("n-b", true)),
        new EndpointSliceBuilder().withAddressType("IPv4").build());

    assertEquals(new TreeSet<>(List.of("n-b", "n-c")), CacheNodes.ready(slices));
  }

  @ParameterizedTest(name = "{0} among {1} -> {2}")
  @CsvSource({
      "n-2, n-1 n-2 n-3, n-2 n-3 n-1",
      "n-1, n-1 n-2 n-3, n-1 n-2 n-3",
      "n-3, n-1 n-2 n-3, n-3 n-1 n-2",
      "n-0, n-1 n-3, n-1 n-3",
      "n-2, n-1 n-3, n-3 n-1",
      "n-9, n-1 n-3, n-1 n-3",
      "'', n-3 n-1, n-1 n-3"})
  void orderedFor_selfFirst_elseTheNextByName_wrapping(String self, String nodes, String expected) {
    SortedSet<String> set = new TreeSet<>(Arrays.asList(nodes.split(" ")));

    List<String> ordered = CacheNodes.orderedFor(Optional.of(self).filter(s -> !s.isEmpty()), set);

    assertEquals(Arrays.asList(expected.split(" ")), ordered);
  }

  private static EndpointSlice slice(Endpoint... endpoints) {
    return new EndpointSliceBuilder().withAddressType("IPv4").withEndpoints(endpoints).build();
  }

  private static Endpoint endpoint(String node, Boolean ready) {
    return new EndpointBuilder().withAddresses("10.244.0.1").withNodeName(node)
        .withNewConditions().withReady(ready).endConditions().build();
  }
}
