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

  private final Vertx vertx;
  private final Storage storage;
  private final AccessLog access;
  private final CacheConfig config;
  private final CacheMetrics metrics;
  private final WorkerExecutor worker;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicBoolean again = new AtomicBoolean();
  private final long recordsPeriodMillis;
  private final Doomed doomed;

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

  /** A blob or manifest of {@code bytes} was committed: counted, and over the cap evicts now. */
  public void added(long bytes) {
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
   * A stored blob whose size is not what its manifest says: removed, so that the next request
   * fetches it again instead of serving damaged bytes.
   */
  public Future<Void> removeDamaged(Digest digest, long storedSize) {
    return removeDamaged(digest, storedSize, "not the size its manifest gives");
  }

  /** {@link #removeDamaged(Digest, long)}, saying why it is damaged. */
  public Future<Void> removeDamaged(Digest digest, long storedSize, String why) {
    return worker.<Void>executeBlocking(() -> {
      // Its expected size stays known: the next fill is checked against it too.
      storage.delete(RegistryLayout.blobData(digest));
      access.unverified(digest);
      metrics.evicted(EvictionReason.DAMAGED, 1, storedSize);
      metrics.storageAdded(-storedSize);
      LOG.warnf("removed damaged blob %s (%d bytes stored, %s)", digest, storedSize, why);
      return null;
    }, false).onComplete(v -> trigger()); // a recount: the gauge had the blob's old size
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
    long started = System.nanoTime();
    access.restore(AccessRecords.read(storage));
    Optional<java.io.Closeable> lock = storage.tryLock("eviction");
    if (lock.isEmpty()) {
      metrics.storageBytes(new StoreScan(storage, access).scan().totalBytes());
      saveRecords();
      return;
    }
    Evictor.Outcome outcome;
    try (java.io.Closeable held = lock.get()) {
      outcome = new Evictor(storage, access, doomed::due).run(limits(), plan -> {
        doomed.planned(plan);
        // The latest uses of the other replicas, just before anything goes.
        access.restore(AccessRecords.read(storage));
      });
    }
    if (!doomed.isEmpty()) {
      // Planned removals wait for the other replicas' uses: look again once they are due.
      vertx.setTimer(2 * recordsPeriodMillis + 1000, id -> trigger());
    }
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

  /** Merges the stored records (other replicas' uses) into ours, then saves the union. */
  private void saveRecords() throws IOException {
    access.restore(AccessRecords.read(storage));
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
