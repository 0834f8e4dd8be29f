package io.dockercache.cache.pullthrough;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * When each cached tag was last confirmed by the upstream, so a tag costs at most one upstream
 * HEAD per TTL. Kept in memory: after a restart the first request revalidates, which is cheap.
 */
final class TagFreshness {

  private final long ttlNanos;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, Long> confirmedAt = new ConcurrentHashMap<>();

  TagFreshness(Duration ttl, LongSupplier nanoClock) {
    this.ttlNanos = ttl.toNanos();
    this.nanoClock = nanoClock;
  }

  boolean isFresh(String tagKey) {
    Long at = confirmedAt.get(tagKey);
    return at != null && ttlNanos > 0 && nanoClock.getAsLong() - at < ttlNanos;
  }

  void confirm(String tagKey) {
    confirmedAt.put(tagKey, nanoClock.getAsLong());
  }
}
