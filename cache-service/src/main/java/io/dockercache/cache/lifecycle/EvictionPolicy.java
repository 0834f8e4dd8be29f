package io.dockercache.cache.lifecycle;

import io.dockercache.cache.lifecycle.EvictionPlan.BlobRemoval;
import io.dockercache.cache.lifecycle.EvictionPlan.LinkRemoval;
import io.dockercache.cache.metrics.CacheMetrics.EvictionReason;
import io.dockercache.cache.lifecycle.EvictionPlan.RevisionRemoval;
import io.dockercache.cache.lifecycle.StoreIndex.Revision;
import io.dockercache.common.Digest;
import io.dockercache.common.RepositoryName;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * Picks what to remove from a {@link StoreIndex}: a pure function of the index, when things were
 * last used and the limits, so every rule is tested without storage. The unit is an image: a
 * manifest revision goes with the blobs that no retained revision (of any repository) references;
 * a blob still referenced is never removed. First everything idle past {@code maxIdle}; then,
 * while the store is over its cap or the filesystem needs room, the least recently used image
 * (an index counts as used when it or a child was; an index goes before its children). Nothing
 * used within the grace window or being served now is touched.
 */
final class EvictionPolicy {

  /** Limits of one run, in bytes and milliseconds; 0 turns each off. */
  record Limits(long maxBytes, long bytesToFree, long maxIdleMillis, long graceMillis) {}

  private final StoreIndex index;
  private final ToLongFunction<Digest> lastUse;
  private final Predicate<Digest> serving;
  private final long now;
  private final Limits limits;
  private final Map<Digest, Integer> references = new HashMap<>();
  private final Map<Digest, EvictionReason> blobsOut = new LinkedHashMap<>();
  private final List<RevisionRemoval> revisionsOut = new ArrayList<>();
  private final Set<Revision> retained = new HashSet<>();
  private long bytes;
  private boolean capReachable = true;

  private EvictionPolicy(StoreIndex index, ToLongFunction<Digest> lastUse,
      Predicate<Digest> serving, long now, Limits limits) {
    this.index = index;
    this.lastUse = lastUse;
    this.serving = serving;
    this.now = now;
    this.limits = limits;
  }

  static EvictionPlan plan(StoreIndex index, ToLongFunction<Digest> lastUse,
      Predicate<Digest> serving, long now, Limits limits) {
    return new EvictionPolicy(index, lastUse, serving, now, limits).plan();
  }

  private EvictionPlan plan() {
    retained.addAll(index.revisions());
    retained.forEach(r -> referenced(r).forEach(d -> references.merge(d, 1, Integer::sum)));
    bytes = index.totalBytes();
    Map<Revision, Long> recency = recency();
    List<Revision> byAge = new ArrayList<>(index.revisions());
    // Oldest first; among equals an index before its children, so an image leaves whole.
    byAge.sort(Comparator.comparingLong((Revision r) -> recency.get(r))
        .thenComparing(r -> r.refs().manifests().isEmpty()));
    if (limits.maxIdleMillis() > 0) {
      for (Revision r : byAge) {
        if (now - recency.get(r) > limits.maxIdleMillis() && !isProtected(r.digest(), recency.get(r))) {
          remove(r, EvictionReason.IDLE);
        }
      }
      for (Digest d : orphansByAge()) {
        if (now - lastUse.applyAsLong(d) > limits.maxIdleMillis()) {
          removeBlob(d, EvictionReason.IDLE);
        }
      }
    }
    List<Object> queue = new ArrayList<>();
    orphansByAge().forEach(queue::add);
    byAge.stream().filter(retained::contains).forEach(queue::add);
    // An image larger than the cap goes first; then the least recently used.
    queue.sort(Comparator.comparing((Object u) -> !(u instanceof Revision r && oversized(r)))
        .thenComparingLong(u -> u instanceof Revision r ? recency.get(r) : lastUse.applyAsLong((Digest) u)));
    // When what may not go yet is over the cap by itself, removing everything else would not
    // reach it: the cap waits for the grace to pass instead of flushing the cache.
    capReachable = limits.maxBytes() == 0 || protectedBytes(recency) <= limits.maxBytes();
    for (Object unit : queue) {
      EvictionReason reason = pressure();
      if (reason == null) {
        break;
      }
      if (unit instanceof Revision r) {
        if (!isProtected(r.digest(), recency.get(r))) {
          remove(r, reason);
        }
      } else {
        removeBlob((Digest) unit, reason);
      }
    }
    return new EvictionPlan(List.copyOf(revisionsOut), links(), blobsOut.entrySet().stream()
        .map(e -> new BlobRemoval(e.getKey(), index.blobs().get(e.getKey()), e.getValue())).toList());
  }

  /** Why more must go now, or null when the store is within its limits. */
  private EvictionReason pressure() {
    if (capReachable && limits.maxBytes() > 0 && bytes > limits.maxBytes()) {
      return EvictionReason.SIZE;
    }
    long freed = index.totalBytes() - bytes;
    return limits.bytesToFree() > freed ? EvictionReason.FREE_SPACE : null;
  }

  /** True when the blobs of this image alone are more than the cap. */
  private boolean oversized(Revision r) {
    return limits.maxBytes() > 0 && referenced(r).stream().distinct()
        .mapToLong(d -> index.blobs().getOrDefault(d, 0L)).sum() > limits.maxBytes();
  }

  /** Bytes no run may remove now: in use, within the grace window, or kept by such an image. */
  private long protectedBytes(Map<Revision, Long> recency) {
    Set<Digest> kept = new HashSet<>();
    for (Revision r : retained) {
      if (isProtected(r.digest(), recency.get(r))) {
        kept.addAll(referenced(r));
      }
    }
    for (Digest d : index.blobs().keySet()) {
      if (isProtected(d, lastUse.applyAsLong(d))) {
        kept.add(d);
      }
    }
    return kept.stream().mapToLong(d -> index.blobs().getOrDefault(d, 0L)).sum();
  }

  /** A revision's recency: its own last use, or a referring index's if later. */
  private Map<Revision, Long> recency() {
    Map<String, Long> byRepoAndDigest = new HashMap<>();
    for (Revision r : index.revisions()) {
      byRepoAndDigest.merge(key(r.repository(), r.digest()), lastUse.applyAsLong(r.digest()), Math::max);
      for (ManifestRefs.Descriptor child : r.refs().manifests()) {
        byRepoAndDigest.merge(key(r.repository(), child.digest()), lastUse.applyAsLong(r.digest()), Math::max);
      }
    }
    Map<Revision, Long> recency = new HashMap<>();
    index.revisions().forEach(r -> recency.put(r, byRepoAndDigest.get(key(r.repository(), r.digest()))));
    return recency;
  }

  private void remove(Revision r, EvictionReason reason) {
    if (!retained.remove(r)) {
      return;
    }
    revisionsOut.add(new RevisionRemoval(r, reason));
    for (Digest d : referenced(r)) {
      if (references.merge(d, -1, Integer::sum) <= 0) {
        references.remove(d);
        removeBlob(d, reason);
      }
    }
  }

  /** Removes an unreferenced blob unless it is in use or absent; adjusts the byte count. */
  private void removeBlob(Digest d, EvictionReason reason) {
    Long size = index.blobs().get(d);
    if (size == null || references.containsKey(d) || blobsOut.containsKey(d)
        || isProtected(d, lastUse.applyAsLong(d))) {
      return;
    }
    blobsOut.put(d, reason);
    bytes -= size;
  }

  private boolean isProtected(Digest d, long usedAt) {
    return serving.test(d) || now - usedAt < limits.graceMillis();
  }

  /** Stored blobs no retained revision references, oldest first. */
  private List<Digest> orphansByAge() {
    return index.blobs().keySet().stream()
        .filter(d -> !references.containsKey(d) && !blobsOut.containsKey(d))
        .sorted(Comparator.comparingLong(lastUse)).toList();
  }

  /**
   * Layer links to drop: every link to a removed blob, and a removed revision's links that no
   * retained revision of the same repository still needs.
   */
  private List<LinkRemoval> links() {
    Set<LinkRemoval> out = new java.util.LinkedHashSet<>();
    Map<RepositoryName, Set<Digest>> stillNeeded = new HashMap<>();
    retained.forEach(r -> stillNeeded.computeIfAbsent(r.repository(), k -> new HashSet<>())
        .addAll(referenced(r)));
    for (RevisionRemoval removed : revisionsOut) {
      Revision r = removed.revision();
      for (Digest d : referenced(r)) {
        Set<RepositoryName> linked = index.layerLinks().getOrDefault(d, Set.of());
        if (linked.contains(r.repository())
            && !stillNeeded.getOrDefault(r.repository(), Set.of()).contains(d)) {
          out.add(new LinkRemoval(r.repository(), d));
        }
      }
    }
    for (Digest d : blobsOut.keySet()) {
      index.layerLinks().getOrDefault(d, Set.of()).forEach(repo -> out.add(new LinkRemoval(repo, d)));
    }
    return List.copyOf(out);
  }

  /** The digests a revision keeps alive: its own bytes, its blobs and its child manifests. */
  private static List<Digest> referenced(Revision r) {
    List<Digest> all = new ArrayList<>();
    all.add(r.digest());
    r.refs().blobs().forEach(b -> all.add(b.digest()));
    r.refs().manifests().forEach(m -> all.add(m.digest()));
    return all;
  }

  private static String key(RepositoryName repo, Digest d) {
    return repo + "@" + d;
  }
}
