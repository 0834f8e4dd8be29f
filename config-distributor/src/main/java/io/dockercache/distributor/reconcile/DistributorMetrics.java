package io.dockercache.distributor.reconcile;

import io.dockercache.distributor.metrics.LastSuccess;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** The distributor's meters, all here; labels bounded by {@link State}. */
@ApplicationScoped
public class DistributorMetrics {

  private static final String APPLIED = "docker_cache_distributor_applied";

  private final Map<State, Counter> reconciles = new EnumMap<>(State.class);
  private final Counter changes;
  private final AtomicInteger applied = new AtomicInteger();
  private final LastSuccess lastSuccess;

  DistributorMetrics(MeterRegistry registry, LastSuccess lastSuccess) {
    this.lastSuccess = lastSuccess;
    for (State state : State.values()) {
      reconciles.put(state, Counter.builder("docker_cache_distributor_reconciles")
          .description("Reconciles of this node, by resulting state")
          .tag("state", state.label()).register(registry));
    }
    changes = Counter.builder("docker_cache_distributor_changes")
        .description("Reconciles that changed the node's runtime configuration").register(registry);
    // The registry may outlive this bean (a restart of the application in dev mode or between
    // test classes keeps Micrometer's global composite): a gauge left from before would still
    // read the old instance's value, or NaN once it is collected, so it is replaced.
    registry.find(APPLIED).meters().forEach(registry::remove);
    Gauge.builder(APPLIED, applied, AtomicInteger::get)
        .description("1 when the latest reconcile applied (or removed) as asked, else 0")
        .register(registry);
  }

  void record(Outcome outcome) {
    reconciles.get(outcome.state()).increment();
    if (outcome.changed()) {
      changes.increment();
    }
    applied.set(outcome.ok() ? 1 : 0);
    if (outcome.ok()) {
      lastSuccess.record();
    }
  }
}
