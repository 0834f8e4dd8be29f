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
  private static final java.time.Duration RECORDS_PERIOD = java.time.Duration.ofMinutes(1);

  private final Vertx vertx;
  private final Storage storage;
  private final AccessLog access;
  private final CacheConfig config;
  private final CacheMetrics metrics;
  private final WorkerExecutor worker;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicBoolean again = new AtomicBoolean();

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
  }

  void start(@Observes StartupEvent event) {
    worker.executeBlocking(() -> {
      access.restore(AccessRecords.read(storage));
      return null;
    }, true).onComplete(v -> trigger());
    vertx.setPeriodic(config.evictionInterval().toMillis(), id -> trigger());
    // Replicas sharing a store learn each other's uses through the records: saved well within
    // the grace window, so no replica evicts what another used inside it.
    vertx.setPeriodic(RECORDS_PERIOD.toMillis(), id -> worker.executeBlocking(() -> {
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

  /** One scan, plan and removal; blocking. */
  void runOnce() throws IOException {
    long started = System.nanoTime();
    access.restore(AccessRecords.read(storage));
    Evictor.Outcome outcome = new Evictor(storage, access).run(limits());
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
