package io.dockercache.cache.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dockercache.cache.metrics.CacheMetrics.Kind;
import io.dockercache.cache.metrics.CacheMetrics.Result;
import io.dockercache.cache.metrics.CacheMetrics.Source;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CacheMetricsTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final CacheMetrics metrics = new CacheMetrics(registry);

  @Test
  void request_countsByKindAndResult() {
    metrics.request(Kind.BLOB, Result.HIT);
    metrics.request(Kind.BLOB, Result.HIT);
    metrics.request(Kind.MANIFEST, Result.STALE);

    assertEquals(2.0, registry.get("docker_cache_requests").tags("kind", "blob", "result", "hit").functionCounter().count());
    assertEquals(1.0, registry.get("docker_cache_requests").tags("kind", "manifest", "result", "stale").functionCounter().count());
  }

  @Test
  void memory_hitsCounted_bytesAndLimitGauged() {
    long[] held = {0};
    metrics.memory(() -> held[0], 64L << 20);
    metrics.memoryHit();
    metrics.memoryHit();
    held[0] = 1234;

    assertEquals(2.0, registry.get("docker_cache_memory_hits").functionCounter().count());
    assertEquals(1234.0, registry.get("docker_cache_memory_bytes").gauge().value());
    assertEquals(64.0 * (1 << 20), registry.get("docker_cache_memory_limit_bytes").gauge().value());
  }

  @Test
  void served_addsBytesBySource_ignoresZero() {
    metrics.served(Source.STORAGE, 100);
    metrics.served(Source.STORAGE, 0);
    metrics.served(Source.UPSTREAM, 7);

    assertEquals(100.0, registry.get("docker_cache_served_bytes").tags("source", "storage").functionCounter().count());
    assertEquals(7.0, registry.get("docker_cache_served_bytes").tags("source", "upstream").functionCounter().count());
  }

  @Test
  void upstream_countsStatusAndNoAnswerAsError_andTimes() {
    UpstreamMeters ghcr = metrics.upstream("ghcr.io");
    ghcr.request("GET", 200, Duration.ofMillis(30));
    ghcr.request("GET", 0, Duration.ofMillis(5));
    metrics.upstream("docker.io").request("GET", 200, Duration.ofMillis(1));

    assertEquals(1.0, registry.get("docker_cache_upstream_requests")
        .tags("registry", "ghcr.io", "method", "GET", "status", "200").counter().count());
    assertEquals(1.0, registry.get("docker_cache_upstream_requests")
        .tags("registry", "ghcr.io", "method", "GET", "status", "error").counter().count());
    assertEquals(2, registry.get("docker_cache_upstream_request").tags("registry", "ghcr.io", "method", "GET").timer().count());
    assertEquals(1, registry.get("docker_cache_upstream_request").tags("registry", "docker.io", "method", "GET").timer().count());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "76;w=21600 | 76",
      "100        | 100",
      "abc;w=1    | -1",
      "''         | -1",
  })
  void rateLimitHeader_keepsTheNumberBeforeTheWindow(String header, double expected) {
    metrics.upstream("docker.io").rateLimitHeader(header);

    assertEquals(expected, registry.get("docker_cache_upstream_ratelimit_remaining").tags("registry", "docker.io").gauge().value());
  }

  @Test
  void storageBytes_addsOnlyAfterTheFirstCount() {
    metrics.storageAdded(10);
    assertEquals(-1.0, registry.get("docker_cache_storage_bytes").gauge().value());

    metrics.storageBytes(1000);
    metrics.storageAdded(24);

    assertEquals(1024.0, registry.get("docker_cache_storage_bytes").gauge().value());
  }

  @Test
  void fillsInProgress_readsTheSupplier() {
    assertEquals(0.0, registry.get("docker_cache_fills_in_progress").gauge().value());

    metrics.fillsInProgress(() -> 3);

    assertEquals(3.0, registry.get("docker_cache_fills_in_progress").gauge().value());
  }

  @Test
  void upstreamHeldBack_presentAtZeroForEveryKind_countsByKind() {
    UpstreamMeters hub = metrics.upstream("docker.io");
    assertEquals(0.0, registry.get("docker_cache_upstream_held_back").tags("kind", "blob").counter().count());

    hub.heldBack(Kind.MANIFEST);
    hub.heldBack(Kind.MANIFEST);

    assertEquals(2.0, registry.get("docker_cache_upstream_held_back").tags("registry", "docker.io", "kind", "manifest").counter().count());
    assertEquals(0.0, registry.get("docker_cache_upstream_held_back").tags("registry", "docker.io", "kind", "blob").counter().count());
  }

  @Test
  void upstreamBackoff_readsTheSupplier() {
    UpstreamMeters hub = metrics.upstream("docker.io");
    assertEquals(0.0, registry.get("docker_cache_upstream_backoff_seconds").gauge().value());

    hub.backoff(() -> 42);

    assertEquals(42.0, registry.get("docker_cache_upstream_backoff_seconds").tags("registry", "docker.io").gauge().value());
  }
}
