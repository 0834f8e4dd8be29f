package io.dockercache.cache.lifecycle;

import io.dockercache.common.Digest;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Two-phase removal for a store that replicas share: content is removed only when it has been
 * planned for removal for at least {@code delay} (longer than replicas take to publish their
 * uses), and by every run in between. A replica that starts serving it meanwhile has saved that
 * use by then, so the next plan keeps it: no replica's client is cut off by another's eviction.
 * Kept by the replica that holds the eviction lock; a new holder starts afresh.
 */
final class Doomed {

  private final long delayMillis;
  private final LongSupplier clock;
  private final Map<Digest, Long> since = new HashMap<>();

  Doomed(long delayMillis, LongSupplier clock) {
    this.delayMillis = delayMillis;
    this.clock = clock;
  }

  /** Takes a new plan: what it names is marked (once), what it no longer names is pardoned. */
  synchronized void planned(EvictionPlan plan) {
    Set<Digest> named = new HashSet<>();
    plan.revisions().forEach(r -> named.add(r.revision().digest()));
    plan.blobs().forEach(b -> named.add(b.digest()));
    plan.links().forEach(l -> named.add(l.digest()));
    since.keySet().retainAll(named);
    long now = clock.getAsLong();
    named.forEach(d -> since.putIfAbsent(d, now));
  }

  /** True when {@code d} has been planned for removal long enough to go. */
  synchronized boolean due(Digest d) {
    Long at = since.get(d);
    return delayMillis == 0 || at != null && clock.getAsLong() - at >= delayMillis;
  }

  synchronized boolean isEmpty() {
    return since.isEmpty();
  }
}
