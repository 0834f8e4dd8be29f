package io.dockercache.cache.lifecycle;

import io.dockercache.cache.lifecycle.EvictionPlan.BlobRemoval;
import io.dockercache.cache.lifecycle.EvictionPlan.LinkRemoval;
import io.dockercache.cache.metrics.CacheMetrics.EvictionReason;
import io.dockercache.cache.lifecycle.EvictionPlan.RevisionRemoval;
import io.dockercache.cache.lifecycle.StoreIndex.Revision;
import io.dockercache.cache.storage.RegistryLayout;
import io.dockercache.cache.storage.Storage;
import io.dockercache.common.Digest;
import io.dockercache.common.Tag;
import java.io.IOException;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * Carries out an {@link EvictionPlan} in an order that keeps the registry layout valid at every
 * step, so a crash half-way leaves nothing dangling that a reader could trip on: tags before the
 * revision they name, links before the data they point to. Each item is checked again just before
 * it goes: anything used or served since the plan was made stays (with what it references).
 */
final class Evictor {

  private final Storage storage;
  private final AccessLog access;
  private final Predicate<Digest> due;
  private final RemovalListener removals;
  private ToLongFunction<Digest> atPlan;
  private final Set<Digest> removed = new HashSet<>();

  /** An evictor that removes what is planned now. */
  Evictor(Storage storage, AccessLog access) {
    this(storage, access, d -> true);
  }

  /**
   * An evictor that removes only planned content {@code due} says may go now; the rest stays,
   * with everything it references, for a later run.
   */
  Evictor(Storage storage, AccessLog access, Predicate<Digest> due) {
    this(storage, access, due, RemovalListener.NONE);
  }

  /** The same, telling {@code removals} of each revision and blob just after it went. */
  Evictor(Storage storage, AccessLog access, Predicate<Digest> due, RemovalListener removals) {
    this.storage = storage;
    this.access = access;
    this.due = due;
    this.removals = removals;
  }

  /** What a run removed, and the bytes of blobs stored before and after it. */
  record Outcome(int revisions, Map<EvictionReason, Long> blobs, Map<EvictionReason, Long> bytes,
      long storedBefore, Set<Digest> stored) {
    long removedBytes() {
      return bytes.values().stream().mapToLong(Long::longValue).sum();
    }

    long removedBlobs() {
      return blobs.values().stream().mapToLong(Long::longValue).sum();
    }

    long storedAfter() {
      return storedBefore - removedBytes();
    }
  }

  /** One whole run: a scan of the tree, the plan for these limits, and its removals. */
  Outcome run(EvictionPolicy.Limits limits) throws IOException {
    return run(limits, plan -> { });
  }

  /** {@link #run(EvictionPolicy.Limits)}, showing the plan to {@code planned} before it is carried out. */
  Outcome run(EvictionPolicy.Limits limits, java.util.function.Consumer<EvictionPlan> planned)
      throws IOException {
    long plannedAt = access.now();
    StoreIndex index = new StoreScan(storage, access).scan();
    Map<Digest, Long> seen = access.snapshot();
    ToLongFunction<Digest> atPlan = d -> seen.getOrDefault(d, access.lastUse(d));
    EvictionPlan plan = EvictionPolicy.plan(index, atPlan, access::isServing, plannedAt, limits);
    planned.accept(plan);
    Outcome outcome = execute(plan, plannedAt, index.totalBytes(), atPlan);
    Set<Digest> stored = new HashSet<>(index.blobs().keySet());
    stored.removeAll(removed);
    outcome = new Outcome(outcome.revisions(), outcome.blobs(), outcome.bytes(), outcome.storedBefore(),
        Set.copyOf(stored));
    access.forgetAbsent(outcome.stored(), plannedAt);
    return outcome;
  }

  /** Executes the plan; {@code plannedAt} is when it was made ({@link AccessLog#now()}). */
  Outcome execute(EvictionPlan plan, long plannedAt, long storedBefore) throws IOException {
    return execute(plan, plannedAt, storedBefore, access::lastUse);
  }

  /**
   * Executes the plan; {@code atPlan} is the last use each digest had when it was planned: one
   * learnt of since (a use here after {@code plannedAt}, or another replica's use merged in
   * meanwhile) keeps it.
   */
  Outcome execute(EvictionPlan plan, long plannedAt, long storedBefore, ToLongFunction<Digest> atPlan)
      throws IOException {
    this.atPlan = atPlan;
    Set<Digest> keep = new HashSet<>();
    int revisions = 0;
    for (RevisionRemoval removal : plan.revisions()) {
      Revision r = removal.revision();
      if (usedSince(r.digest(), plannedAt) || !due.test(r.digest())) {
        keep.add(r.digest());
        r.refs().blobs().forEach(b -> keep.add(b.digest()));
        r.refs().manifests().forEach(m -> keep.add(m.digest()));
        continue;
      }
      String tags = RegistryLayout.tags(r.repository());
      for (Tag t : r.tags()) {
        storage.delete(tags + t + "/");
      }
      storage.delete(parent(RegistryLayout.revisionLink(r.repository(), r.digest())));
      removals.revisionRemoved(r.repository(), r.digest(), r.tags());
      revisions++;
    }
    Set<Digest> goes = new HashSet<>();
    for (BlobRemoval b : plan.blobs()) {
      if (!keep.contains(b.digest()) && !usedSince(b.digest(), plannedAt) && due.test(b.digest())) {
        goes.add(b.digest());
      }
    }
    for (LinkRemoval l : plan.links()) {
      if (!keep.contains(l.digest()) && due.test(l.digest())) {
        storage.delete(parent(RegistryLayout.layerLink(l.repository(), l.digest())));
      }
    }
    Map<EvictionReason, Long> blobs = new EnumMap<>(EvictionReason.class);
    Map<EvictionReason, Long> bytes = new EnumMap<>(EvictionReason.class);
    for (BlobRemoval b : plan.blobs()) {
      if (goes.contains(b.digest()) && !usedSince(b.digest(), plannedAt)) {
        storage.delete(RegistryLayout.blobData(b.digest()));
        removals.blobRemoved(b.digest());
        access.forget(b.digest());
        removed.add(b.digest());
        blobs.merge(b.reason(), 1L, Long::sum);
        bytes.merge(b.reason(), b.size(), Long::sum);
      }
    }
    return new Outcome(revisions, blobs, bytes, storedBefore, Set.of());
  }

  private boolean usedSince(Digest d, long plannedAt) {
    // Same millisecond counts as since: when in doubt, keep.
    long now = access.lastUse(d);
    return access.isServing(d) || now >= plannedAt || now > atPlan.applyAsLong(d);
  }

  /** The directory of a link ({@code .../<hex>/link} → {@code .../<hex>/}), removed whole. */
  private static String parent(String linkKey) {
    return linkKey.substring(0, linkKey.lastIndexOf('/') + 1);
  }
}
