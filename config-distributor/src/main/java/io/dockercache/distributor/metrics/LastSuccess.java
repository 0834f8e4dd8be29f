package io.dockercache.distributor.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code docker_cache_distributor_last_success_timestamp_seconds}: when this node last ended a
 * reconcile as asked (applied, or removed when disabled); 0 before the first. An agent that stops
 * reconciling shows as a time that no longer moves.
 */
@Singleton
public class LastSuccess {

  private final AtomicLong epochMillis = new AtomicLong();

  LastSuccess(MeterRegistry registry) {
    Gauge.builder("docker_cache_distributor_last_success_timestamp_seconds", epochMillis, m -> m.get() / 1000.0)
        .description("Unix time of the last reconcile that applied (or removed) the mirror as asked; 0: none yet")
        .register(registry);
  }

  /** A reconcile just succeeded. */
  public void record() {
    epochMillis.set(System.currentTimeMillis());
  }
}
