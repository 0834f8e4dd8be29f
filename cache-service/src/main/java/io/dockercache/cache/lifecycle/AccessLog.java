package io.dockercache.cache.lifecycle;

import io.dockercache.common.Digest;
import io.vertx.core.buffer.Buffer;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * When each blob and manifest was last used (epoch milliseconds), exact in this process and kept
 * without a lock: one map update per digest used. Also what is being served right now (never
 * removed while it is) and what manifests reference (content-addressed, so cached until removed).
 */
public final class AccessLog {

  private final LongSupplier wallClock;
  private final long startedAt;
  private final ConcurrentHashMap<Digest, Long> lastUse = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Digest, AtomicInteger> serving = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Digest, ManifestRefs> references = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Digest, Long> expectedSizes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Digest, Long> verified = new ConcurrentHashMap<>();

  private final boolean tracking;
  private volatile long revivalMillis = Long.MAX_VALUE;
  private volatile Runnable onRevival = () -> { };

  public AccessLog(LongSupplier wallClock) {
    this(wallClock, true);
  }

  /**
   * With {@code tracking} false (no limit is set, so nothing is ever evicted) uses are not
   * recorded; references and expected sizes still are, for the damage check.
   */
  public AccessLog(LongSupplier wallClock, boolean tracking) {
    this.wallClock = wallClock;
    this.startedAt = wallClock.getAsLong();
    this.tracking = tracking;
  }

  /**
   * A pull of a manifest: a use of it and of everything it references, children of an index
   * included, since a node that holds the layers asks only for the manifest. {@code body} may be
   * null (a HEAD answered without the bytes): then only what is already known is touched.
   */
  public void manifestUsed(Digest digest, Buffer body) {
    ManifestRefs refs = body == null ? references.get(digest) : refs(digest, body);
    if (!tracking) {
      return;
    }
    long stamp = stamp();
    touch(digest, stamp);
    if (refs != null) {
      touchRefs(refs, stamp, 0);
    }
  }

  /** A GET of a blob. */
  public void blobUsed(Digest digest) {
    if (tracking) {
      touch(digest, stamp());
    }
  }

  /**
   * Calls {@code action} when content unused for {@code idleMillis} is used again, so that
   * replicas sharing a store learn of it soon (the action must return at once).
   */
  void onRevival(long idleMillis, Runnable action) {
    this.revivalMillis = idleMillis;
    this.onRevival = action;
  }

  private void touch(Digest digest, long stamp) {
    Long previous = lastUse.put(digest, stamp);
    if (stamp - (previous == null ? startedAt : previous) > revivalMillis) {
      onRevival.run();
    }
  }

  /** Marks a blob as being served until the returned action runs (exactly once is enough). */
  public Runnable serving(Digest digest) {
    if (!tracking) {
      return () -> {};
    }
    serving.computeIfAbsent(digest, d -> new AtomicInteger()).incrementAndGet();
    AtomicInteger once = new AtomicInteger();
    return () -> {
      if (once.compareAndSet(0, 1)) {
        serving.computeIfPresent(digest, (d, n) -> n.decrementAndGet() <= 0 ? null : n);
      }
    };
  }

  boolean isServing(Digest digest) {
    return serving.containsKey(digest);
  }

  /** The stamp of the last use; unknown content counts as used when this process started. */
  long lastUse(Digest digest) {
    return lastUse.getOrDefault(digest, startedAt);
  }

  /** The size a referring manifest announced for a blob, when one was seen. */
  public OptionalLong expectedSize(Digest digest) {
    Long size = expectedSizes.get(digest);
    return size == null ? OptionalLong.empty() : OptionalLong.of(size);
  }

  /** The references of stored manifest bytes, parsed once per digest. */
  ManifestRefs refs(Digest digest, Buffer body) {
    return references.computeIfAbsent(digest, d -> remember(ManifestRefs.parse(body)));
  }

  ManifestRefs knownRefs(Digest digest) {
    return references.get(digest);
  }

  /** Takes last-use stamps read back from storage; newer uses of this process win. */
  void restore(Map<Digest, Long> stamps) {
    stamps.forEach((d, t) -> lastUse.merge(d, t, Math::max));
  }

  /** Every known use; what is being served now counts as used now. */
  Map<Digest, Long> snapshot() {
    long now = stamp();
    serving.keySet().forEach(d -> lastUse.merge(d, now, Math::max));
    return Map.copyOf(lastUse);
  }

  /** True once the stored blob hashed to its digest in this process (a fill or a first serve). */
  public boolean isVerified(Digest digest) {
    return verified.containsKey(digest);
  }

  /** The size at which the stored blob hashed to its digest: a digest has one size only. */
  public OptionalLong verifiedSize(Digest digest) {
    Long size = verified.get(digest);
    return size == null ? OptionalLong.empty() : OptionalLong.of(size);
  }

  public void verified(Digest digest, long size) {
    verified.put(digest, size);
  }

  void unverified(Digest digest) {
    verified.remove(digest);
  }

  /** Drops the records of content no longer stored (not used since {@code before}). */
  void forgetAbsent(java.util.Set<Digest> stored, long before) {
    lastUse.entrySet().removeIf(e -> e.getValue() < before && !stored.contains(e.getKey()));
  }

  /** Drops what is known of removed content. */
  void forget(Digest digest) {
    lastUse.remove(digest);
    verified.remove(digest);
    references.remove(digest);
    expectedSizes.remove(digest);
  }

  private void touchRefs(ManifestRefs refs, long stamp, int depth) {
    for (ManifestRefs.Descriptor b : refs.blobs()) {
      lastUse.put(b.digest(), stamp);
    }
    for (ManifestRefs.Descriptor m : refs.manifests()) {
      lastUse.put(m.digest(), stamp);
      ManifestRefs child = references.get(m.digest());
      // An index of indexes is legal but rare; two levels bound the walk on a hostile document.
      if (child != null && depth < 2) {
        touchRefs(child, stamp, depth + 1);
      }
    }
  }

  private ManifestRefs remember(ManifestRefs refs) {
    for (ManifestRefs.Descriptor b : refs.blobs()) {
      if (b.size() >= 0) {
        expectedSizes.put(b.digest(), b.size());
      }
    }
    return refs;
  }

  /** The clock uses are stamped with. */
  long now() {
    return wallClock.getAsLong();
  }

  private long stamp() {
    return wallClock.getAsLong();
  }
}
