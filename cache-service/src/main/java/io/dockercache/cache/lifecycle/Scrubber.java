package io.dockercache.cache.lifecycle;

import io.dockercache.cache.config.CacheConfig;
import io.dockercache.cache.metrics.CacheMetrics;
import io.dockercache.cache.storage.Storage;
import io.dockercache.common.Digest;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Re-hashes stored blobs in the background, at most {@code docker_cache_scrub_rate} bytes a
 * second, so that bytes damaged at rest (a flipped bit keeps the size) are found without a
 * restart: a blob that no longer hashes to its name is removed and fetched again on the next
 * request. One pass over the store, then a pause of {@code docker_cache_eviction_interval}.
 */
@ApplicationScoped
public class Scrubber {

  private static final Logger LOG = Logger.getLogger(Scrubber.class);
  private static final String BLOBS = "docker/registry/v2/blobs/";

  private final Storage storage;
  private final CacheMetrics metrics;
  private final EvictionLoop lifecycle;
  private final long bytesPerSecond;
  private final long pauseMillis;
  private volatile Thread thread;

  @Inject
  public Scrubber(Storage storage, CacheMetrics metrics, EvictionLoop lifecycle, CacheConfig config) {
    this.storage = storage;
    this.metrics = metrics;
    this.lifecycle = lifecycle;
    this.bytesPerSecond = config.scrubRate().bytes();
    this.pauseMillis = config.evictionInterval().toMillis();
  }

  void start(@Observes StartupEvent event) {
    if (bytesPerSecond > 0) {
      thread = new Thread(this::run, "docker-cache-scrub");
      thread.setDaemon(true);
      thread.setPriority(Thread.MIN_PRIORITY);
      thread.start();
    }
  }

  void stop(@Observes ShutdownEvent event) {
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
  }

  private void run() {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          pass();
        } catch (IOException | RuntimeException e) {
          LOG.warnf("scrub pass stopped: %s", e.getMessage());
        }
        Thread.sleep(pauseMillis);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Hashes every stored blob once. */
  void pass() throws IOException, InterruptedException {
    for (Storage.Entry e : storage.walk(BLOBS)) {
      Optional<Digest> digest = digestOf(e.key());
      if (digest.isPresent() && !matches(e, digest.get())) {
        lifecycle.removeDamaged(digest.get(), e.size(), "does not hash to its name");
      }
    }
  }

  private boolean matches(Storage.Entry e, Digest digest) throws IOException, InterruptedException {
    long started = System.nanoTime();
    return BlobHash.matches(storage, e.key(), e.size(), digest, (read, chunk) -> {
      metrics.scrubbed(chunk);
      pace(started, read);
    });
  }

  /** Sleeps until {@code read} bytes are within the rate since {@code started}. */
  private void pace(long started, long read) throws InterruptedException {
    long due = TimeUnit.SECONDS.toNanos(1) * read / bytesPerSecond;
    long ahead = due - (System.nanoTime() - started);
    if (ahead > 0) {
      TimeUnit.NANOSECONDS.sleep(ahead);
    }
  }

  private static Optional<Digest> digestOf(String key) {
    String[] p = key.substring(BLOBS.length()).split("/");
    try {
      return p.length == 4 && p[3].equals("data") ? Optional.of(new Digest(p[0], p[2])) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
