package io.dockercache.cache.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Every meter of the cache-service, in one place (DESIGN.md §3). Names start with
 * {@code docker_cache_}; labels are bounded sets ({@code kind}, {@code result}, {@code source},
 * {@code method}, {@code status}, {@code registry} from the configuration: {@link UpstreamMeters}),
 * never a repository, tag, digest or user.
 */
@Singleton
public class CacheMetrics {

  /** What a registry request was for: the {@code kind} label. */
  public enum Kind { MANIFEST, BLOB }

  /** How it was answered: the {@code result} label. */
  public enum Result { HIT, MISS, STALE, ERROR }

  /** Why the storage lifecycle removed a blob: the {@code reason} label. */
  public enum EvictionReason { SIZE, FREE_SPACE, IDLE, DAMAGED }

  /** Where served bytes came from: the {@code source} label. */
  public enum Source { STORAGE, UPSTREAM }

  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final Counter coalesced;
  private final AtomicLong storageBytes = new AtomicLong(-1);
  private final AtomicLong storageLimit = new AtomicLong();
  private final AtomicLong storageFree = new AtomicLong(-1);
  private final Counter writeFailures;
  private final Counter scrubbedBytes;
  /**
   * The counters of every request, built once and kept as adders the registry reads when scraped:
   * the warm path looks up no meter and goes through no composite registry.
   */
  private final LongAdder[][] requests = new LongAdder[Kind.values().length][Result.values().length];
  private final LongAdder[] served = new LongAdder[Source.values().length];
  private final LongAdder memoryHits = new LongAdder();
  private final AtomicLong memoryLimit = new AtomicLong();
  private volatile Supplier<Number> memoryBytes = () -> 0;
  private volatile Supplier<Number> fillsInProgress = () -> 0;

  @Inject
  public CacheMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.coalesced = Counter.builder("docker_cache_coalesced_waiters")
        .description("Blob requests that joined a download already running for the same digest")
        .register(registry);
    Gauge.builder("docker_cache_storage_bytes", storageBytes, AtomicLong::doubleValue)
        .description("Bytes of blobs in storage (-1 until the first count is done)")
        .baseUnit("bytes").register(registry);
    Gauge.builder("docker_cache_storage_limit_bytes", storageLimit, AtomicLong::doubleValue)
        .description("docker_cache_max_size: the cap on bytes of blobs in storage (0: no cap)")
        .baseUnit("bytes").register(registry);
    Gauge.builder("docker_cache_storage_free_bytes", storageFree, AtomicLong::doubleValue)
        .description("Usable bytes left on the storage filesystem at the last eviction run (-1: not a filesystem)")
        .baseUnit("bytes").register(registry);
    this.writeFailures = Counter.builder("docker_cache_storage_write_failures")
        .description("Storage writes that failed (a full disk, most likely); the bytes were served uncached")
        .register(registry);
    // Present from the start, at 0, so dashboards and alerts see the series before the first eviction.
    for (EvictionReason reason : EvictionReason.values()) {
      evicted(reason, 0, 0);
    }
    this.scrubbedBytes = Counter.builder("docker_cache_scrubbed_bytes")
        .description("Bytes of stored blobs the background scrub re-hashed")
        .register(registry);
    Gauge.builder("docker_cache_fills_in_progress", () -> fillsInProgress.get())
        .description("Blob downloads from the upstream running now").register(registry);
    for (Kind kind : Kind.values()) {
      for (Result result : Result.values()) {
        requests[kind.ordinal()][result.ordinal()] = adder("docker_cache_requests",
            "Registry requests by kind and how they were served", "kind", label(kind), "result", label(result));
      }
    }
    for (Source source : Source.values()) {
      served[source.ordinal()] = adder("docker_cache_served_bytes",
          "Body bytes sent to clients by where they came from", "source", label(source));
    }
    FunctionCounter.builder("docker_cache_memory_hits", memoryHits, LongAdder::doubleValue)
        .description("Manifest requests answered from memory, without reading storage")
        .register(registry);
    Gauge.builder("docker_cache_memory_bytes", () -> memoryBytes.get())
        .description("Bytes of manifests and tags held in memory, per-entry overhead included")
        .baseUnit("bytes").register(registry);
    Gauge.builder("docker_cache_memory_limit_bytes", memoryLimit, AtomicLong::doubleValue)
        .description("The memory budget for manifests and tags in effect (0: off)")
        .baseUnit("bytes").register(registry);
  }

  /** One registry request answered. */
  public void request(Kind kind, Result result) {
    requests[kind.ordinal()][result.ordinal()].increment();
  }

  /** Body bytes sent to a client. */
  public void served(Source source, long bytes) {
    if (bytes > 0) {
      served[source.ordinal()].add(bytes);
    }
  }

  /** A manifest request answered from memory (also counted as a hit in the requests). */
  public void memoryHit() {
    memoryHits.increment();
  }

  /** Where the memory gauge reads its bytes from, and the budget in effect. */
  public void memory(Supplier<Number> bytes, long limit) {
    memoryBytes = bytes;
    memoryLimit.set(limit);
  }

  /** The meters of one upstream registry, labelled {@code registry} with {@code name}. */
  public UpstreamMeters upstream(String name) {
    return new UpstreamMeters(registry, name);
  }

  /** A request joined a running download instead of starting one. */
  public void coalescedWaiter() {
    coalesced.increment();
  }

  /** Where the gauge of running downloads reads from (it shows 0 before this is called). */
  public void fillsInProgress(Supplier<Number> running) {
    fillsInProgress = running;
  }

  public void storageBytes(long total) {
    storageBytes.set(total);
  }

  /** A newly committed blob of {@code bytes} (negative: removed); returns the new total. */
  public long storageAdded(long bytes) {
    return storageBytes.accumulateAndGet(bytes, (now, add) -> now < 0 ? now : now + add);
  }

  public void storageLimit(long bytes) {
    storageLimit.set(bytes);
  }

  public void storageFree(long bytes) {
    storageFree.set(bytes);
  }

  /** Bytes the scrub re-hashed. */
  public void scrubbed(long bytes) {
    scrubbedBytes.increment(bytes);
  }

  public void storageWriteFailure() {
    writeFailures.increment();
  }

  /** Blobs removed by the storage lifecycle, and their bytes, for one reason. */
  public void evicted(EvictionReason reason, long blobs, long bytes) {
    String r = label(reason);
    counter("docker_cache_evictions", "Blobs removed from storage by why: size, free_space, idle, damaged",
        "reason", r).increment(blobs);
    counter("docker_cache_evicted_bytes", "Bytes of blobs removed from storage by why",
        "reason", r).increment(bytes);
  }

  private LongAdder adder(String name, String description, String... tags) {
    LongAdder adder = new LongAdder();
    FunctionCounter.builder(name, adder, LongAdder::doubleValue).description(description).tags(tags)
        .register(registry);
    return adder;
  }

  private Counter counter(String name, String description, String... tags) {
    return counters.computeIfAbsent(name + String.join(",", tags),
        k -> Counter.builder(name).description(description).tags(tags).register(registry));
  }

  private static String label(Enum<?> e) {
    return e.name().toLowerCase(java.util.Locale.ROOT);
  }
}
