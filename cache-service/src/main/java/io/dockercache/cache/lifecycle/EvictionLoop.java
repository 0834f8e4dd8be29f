package io.dockercache.cache.lifecycle;

import io.dockercache.cache.config.CacheConfig;
import io.dockercache.cache.metrics.CacheMetrics.EvictionReason;
import io.dockercache.cache.metrics.CacheMetrics;
import io.dockercache.cache.storage.RegistryLayout;
import io.dockercache.cache.storage.Storage;
import io.dockercache.common.Digest;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Runs the storage lifecycle: a scan of the tree, the {@link EvictionPolicy} and the
 * {@link Evictor}, on one worker thread, at start, every {@code docker_cache_eviction_interval},
 * and at once when a commit takes the store over {@code docker_cache_max_size} or a write fails.
 * One run at a time; a trigger during a run asks for one more. Each run keeps the bytes gauge
 * true and saves the access records.
 */
@ApplicationScoped
public class EvictionLoop {

  private static final Logger LOG = Logger.getLogger(EvictionLoop.class);
  private static final long MAX_RECORDS_PERIOD_MILLIS = 60_000;
  private static final long RECOUNT_DELAY_MILLIS = 1_000;

  private final Vertx vertx;
  private final Storage storage;
  private final AccessLog access;
  private final CacheConfig config;
  private final CacheMetrics metrics;
  private final WorkerExecutor worker;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicBoolean again = new AtomicBoolean();
  /** Commits counted by {@link #added}: a run during which some happened counts once more. */
  private final AtomicLong commits = new AtomicLong();
  private final long recordsPeriodMillis;
  private final Doomed doomed;
  private volatile RemovalListener removals = RemovalListener.NONE;

  @Inject
  public EvictionLoop(Vertx vertx, Storage storage, AccessLog access, CacheConfig config,
      CacheMetrics metrics) {
    this.vertx = vertx;
    this.storage = storage;
    this.access = access;
    this.config = config;
    this.metrics = metrics;
    this.worker = vertx.createSharedWorkerExecutor("docker-cache-lifecycle", 1, 1, TimeUnit.HOURS);
    metrics.storageLimit(config.maxSize().bytes());
    this.recordsPeriodMillis = Math.min(MAX_RECORDS_PERIOD_MILLIS, config.evictionInterval().toMillis());
    // Shared by replicas: a removal waits two record periods, so their uses are known first.
    this.doomed = new Doomed(storage.isShared() ? 2 * recordsPeriodMillis : 0, System::currentTimeMillis);
    if (storage.isShared()) {
      // Content that comes back into use is published within a second, not a period.
      access.onRevival(recordsPeriodMillis, this::saveRecordsSoon);
    }
  }

  private final AtomicBoolean saveScheduled = new AtomicBoolean();
  /** The blobs the latest scan found, and when it started: records of others are dropped. */
  private volatile java.util.Set<Digest> lastStored;
  private volatile long lastScanAt;

  private void saveRecordsSoon() {
    if (saveScheduled.compareAndSet(false, true)) {
      vertx.setTimer(1000, id -> worker.executeBlocking(() -> {
        saveScheduled.set(false);
        saveRecords();
        return null;
      }, false));
    }
  }

  void start(@Observes StartupEvent event) {
    worker.executeBlocking(() -> {
      access.restore(AccessRecords.read(storage));
      return null;
    }, true).onComplete(v -> trigger());
    vertx.setPeriodic(config.evictionInterval().toMillis(), id -> trigger());
    // Replicas sharing a store learn each other's uses through the records, saved every
    // interval (at most a minute); removals on a shared store wait two of these periods.
    vertx.setPeriodic(recordsPeriodMillis, id -> worker.executeBlocking(() -> {
      saveRecords();
      return null;
    }, false));
  }

  void stop(@Observes ShutdownEvent event) {
    try {
      AccessRecords.write(storage, access.snapshot());
    } catch (IOException | RuntimeException e) {
      LOG.warnf("cannot save the access records at shutdown: %s", e.getMessage());
    }
  }

  /** Who is told of what the lifecycle removes (the manifests held in memory). */
  public void onRemoval(RemovalListener listener) {
    this.removals = listener;
  }

  /** A blob or manifest of {@code bytes} was committed: counted, and over the cap evicts now. */
  public void added(long bytes) {
    commits.incrementAndGet();
    long total = metrics.storageAdded(bytes);
    long cap = config.maxSize().bytes();
    if (cap > 0 && total > cap) {
      trigger();
    }
  }

  /** A storage write failed (a full disk, most likely): counted, and room is made. */
  public void writeFailed() {
    metrics.storageWriteFailure();
    trigger();
  }

  /**
   * A stored blob whose size is not what a manifest says: hashed (off the lifecycle worker, so
   * not behind a run), and removed only when its bytes do not match its name, since a manifest
   * from any repository may give a wrong size. Completes with true when it was removed.
   */
  public Future<Boolean> checkDamaged(Digest digest, long storedSize) {
    return vertx.executeBlocking(() -> {
      boolean intact = BlobHash.matches(storage, RegistryLayout.blobData(digest), storedSize, digest,
          (read, chunk) -> { });
      if (intact) {
        // Hashed whole at this size (not gone meanwhile): later hits skip the check.
        if (storage.size(RegistryLayout.blobData(digest)).orElse(-1) == storedSize) {
          access.verified(digest, storedSize);
        }
        return false;
      }
      remove(digest, storedSize, "not the size its manifest gives, and it does not hash to its name");
      return true;
    }, false);
  }

  /** A stored blob found not to hash to its name: removed, to be fetched again. */
  public Future<Void> removeDamaged(Digest digest, long storedSize, String why) {
    return vertx.<Void>executeBlocking(() -> {
      remove(digest, storedSize, why);
      return null;
    }, false);
  }

  private void remove(Digest digest, long storedSize, String why) throws IOException {
    // Its expected size stays known: the next fill is checked against it too.
    storage.delete(RegistryLayout.blobData(digest));
    removals.blobRemoved(digest);
    access.unverified(digest);
    metrics.evicted(EvictionReason.DAMAGED, 1, storedSize);
    LOG.warnf("removed damaged blob %s (%d bytes stored, %s)", digest, storedSize, why);
    trigger(); // a recount: the gauge had the blob's old size
  }

  /** Asks for a run now; returns at once. */
  public void trigger() {
    if (!running.compareAndSet(false, true)) {
      again.set(true);
      return;
    }
    worker.executeBlocking(() -> {
      runOnce();
      return null;
    }, false).onComplete(ar -> {
      if (ar.failed()) {
        LOG.warnf("eviction run failed: %s", ar.cause().getMessage());
      }
      running.set(false);
      if (again.getAndSet(false)) {
        trigger();
      }
    });
  }

  /**
   * One scan, plan and removal; blocking. Replicas sharing a store take turns through the
   * storage's lock; one that does not get it only recounts the bytes for its gauge.
   */
  void runOnce() throws IOException {
    long commitsBefore = commits.get();
    try {
      runOnceCounting();
    } finally {
      if (commits.get() != commitsBefore) {
        // A commit's add may have landed before the scan's total replaced the gauge, or the scan
        // may have seen it too: count again soon (not at once, so steady fills do not keep the
        // store scanned without a pause).
        vertx.setTimer(RECOUNT_DELAY_MILLIS, id -> trigger());
      }
    }
  }

  private void runOnceCounting() throws IOException {
    long started = System.nanoTime();
    access.restore(AccessRecords.read(storage));
    Optional<Storage.Lock> lock = storage.tryLock("eviction");
    if (lock.isEmpty()) {
      long scanAt = access.now();
      StoreIndex index = new StoreScan(storage, access).scan();
      metrics.storageBytes(index.totalBytes());
      scanned(index.blobs().keySet(), scanAt);
      saveRecords();
      return;
    }
    long scanAt = access.now();
    Evictor.Outcome outcome;
    try (Storage.Lock held = lock.get()) {
      // A lease that lapsed (renewals failing) may be another replica's now: stop removing.
      Evictor evictor = new Evictor(storage, access, d -> stillHeld(held) && doomed.due(d), removals);
      outcome = evictor.run(limits(), plan -> {
        doomed.planned(plan);
        // The latest uses of the other replicas, just before anything goes.
        access.restore(AccessRecords.read(storage));
      });
    }
    if (!doomed.isEmpty()) {
      // Planned removals wait for the other replicas' uses: look again once they are due.
      vertx.setTimer(2 * recordsPeriodMillis + 1000, id -> trigger());
    }
    scanned(outcome.stored(), scanAt);
    metrics.storageBytes(outcome.storedAfter());
    outcome.bytes().forEach((reason, bytes) ->
        metrics.evicted(reason, outcome.blobs().get(reason), bytes));
    if (outcome.revisions() > 0 || outcome.removedBlobs() > 0) {
      LOG.infof("eviction: removed %d manifests and %d blobs, %d bytes (%s); %d bytes stored now, in %d ms",
          outcome.revisions(), outcome.removedBlobs(), outcome.removedBytes(), outcome.bytes(),
          outcome.storedAfter(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }
    saveRecords();
  }

  private static boolean stillHeld(Storage.Lock lock) {
    if (!lock.held()) {
      throw new java.io.UncheckedIOException(new IOException(
          "lost the eviction lock (its renewals failed); this run stops, the next one plans again"));
    }
    return true;
  }

  private void scanned(java.util.Set<Digest> stored, long at) {
    lastStored = java.util.Set.copyOf(stored);
    lastScanAt = at;
  }

  /**
   * Merges the stored records (other replicas' uses) into ours and saves the union, less the
   * records of blobs the latest scan did not find (removed, or never stored), so the records
   * stay the size of the store.
   */
  private void saveRecords() throws IOException {
    access.restore(AccessRecords.read(storage));
    java.util.Set<Digest> stored = lastStored;
    if (stored != null) {
      access.forgetAbsent(stored, lastScanAt);
    }
    AccessRecords.write(storage, access.snapshot());
  }

  private EvictionPolicy.Limits limits() throws IOException {
    long toFree = 0;
    Optional<Storage.Space> space = storage.space();
    space.ifPresent(s -> metrics.storageFree(s.usable()));
    if (space.isPresent() && !config.minFreeSpace().isOff()) {
      toFree = Math.max(0, config.minFreeSpace().of(space.get().total()) - space.get().usable());
    }
    return new EvictionPolicy.Limits(config.maxSize().bytes(), toFree,
        config.maxIdle().toMillis(), config.evictionGrace().toMillis());
  }
}
