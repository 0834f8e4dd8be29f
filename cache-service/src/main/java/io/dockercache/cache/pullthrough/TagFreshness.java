package io.dockercache.cache.pullthrough;

import io.dockercache.common.Digest;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Which digest the upstream last confirmed for each cached tag, and when, so a tag costs at most
 * one upstream HEAD per TTL. A tag is fresh only while its stored link still names the confirmed
 * digest: when the upstream moved it and the new manifest could not be fetched (a 429 on the GET),
 * the old link is not trusted as fresh, and the next request asks again. Kept in memory: after a
 * restart the first request revalidates, which is cheap. {@code K} names a tag of a repository.
 */
final class TagFreshness<K> {

  private record Confirmed(Digest digest, long atNanos) {}

  private final long ttlNanos;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<K, Confirmed> confirmed = new ConcurrentHashMap<>();

  TagFreshness(Duration ttl, LongSupplier nanoClock) {
    this.ttlNanos = ttl.toNanos();
    this.nanoClock = nanoClock;
  }

  /** Whether {@code linked}, the digest the tag's link names, was confirmed within the TTL. */
  boolean isFresh(K tagKey, Digest linked) {
    Confirmed c = confirmed.get(tagKey);
    return c != null && ttlNanos > 0 && c.digest().equals(linked)
        && nanoClock.getAsLong() - c.atNanos() < ttlNanos;
  }

  /** The upstream says the tag names {@code digest} now. */
  void confirm(K tagKey, Digest digest) {
    confirmed.put(tagKey, new Confirmed(digest, nanoClock.getAsLong()));
  }
}
