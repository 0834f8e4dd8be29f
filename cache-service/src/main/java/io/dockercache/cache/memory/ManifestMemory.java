package io.dockercache.cache.memory;

import io.dockercache.cache.lifecycle.RemovalListener;
import io.dockercache.common.Digest;
import io.dockercache.common.RepositoryName;
import io.dockercache.common.Tag;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Manifests (by repository and digest, as a repository's revision link and the bytes give them)
 * and the digest each tag's stored link names, held in memory within a byte budget
 * ({@code docker_cache_memory_cache_size}). Values are the caller's: verified manifest answers.
 *
 * <p>Never ahead of storage: what the lifecycle removes leaves here too. A fill races with a
 * removal through tickets: take {@link #ticket()} before reading storage, hand it to the put,
 * and the put is refused when anything was removed since (the removal may have come after the
 * read). An entry is also held for at most {@link #MAX_AGE} after storage last gave it: then it
 * is read from storage again, so replicas sharing a store (whose evictions are not told here)
 * and files removed behind the cache's back are seen within that time. A budget of 0 turns the
 * cache off: every look-up misses and nothing is held.
 */
public final class ManifestMemory<M> implements RemovalListener {

  /** Bytes an entry costs beside the manifest: key, node, answer, buffer wrapper, map slot. */
  static final long MANIFEST_OVERHEAD = 512;
  /** Bytes a tag entry costs beside its names' characters. */
  static final long TAG_OVERHEAD = 256;
  /** The share of the budget tags may take: tens of thousands of tags in a 64 MiB budget. */
  private static final int TAG_SHARE = 16;
  /** How long an entry is trusted without storage saying so again: one read a minute is cheap. */
  public static final Duration MAX_AGE = Duration.ofMinutes(1);

  /** A value and when storage last gave it (nano clock). */
  private record Held<V>(V value, long atNanos) {}

  private record ManifestKey(RepositoryName repository, Digest digest) {}

  private record TagKey(RepositoryName repository, Tag tag) {}

  private final ClockCache<ManifestKey, Held<M>> manifests;
  private final ClockCache<TagKey, Held<Digest>> tags;
  private final AtomicLong removals = new AtomicLong();
  private final long maxAgeNanos;
  private final LongSupplier nanoClock;

  /** A cache holding up to {@code budget} bytes, manifests and tags together; 0 is off. */
  public ManifestMemory(long budget) {
    this(budget, MAX_AGE, System::nanoTime);
  }

  /** The same, entries trusted for {@code maxAge} on {@code nanoClock}. */
  ManifestMemory(long budget, Duration maxAge, LongSupplier nanoClock) {
    this.maxAgeNanos = maxAge.toNanos();
    this.nanoClock = nanoClock;
    if (budget < 0) {
      throw new IllegalArgumentException("a memory budget cannot be negative: " + budget);
    }
    long forTags = budget / TAG_SHARE;
    this.manifests = budget == 0 ? null : new ClockCache<>(budget - forTags);
    this.tags = budget == 0 ? null : new ClockCache<>(forTags);
  }

  /**
   * The budget in effect for {@code configured} bytes on a heap of {@code maxHeap} bytes: at most
   * a quarter of it, so a budget set for a large pod never starves a small heap.
   */
  public static long budget(long configured, long maxHeap) {
    return Math.min(configured, maxHeap / 4);
  }

  public boolean enabled() {
    return manifests != null;
  }

  /** Taken before the storage reads whose result is put: see the class comment. */
  public long ticket() {
    return removals.get();
  }

  /** The manifest held for this repository and digest, or null. */
  public M manifest(RepositoryName repository, Digest digest) {
    return manifests == null ? null : young(manifests.get(new ManifestKey(repository, digest)));
  }

  /** The digest the tag's stored link named when it was last read or written, or null. */
  public Digest tag(RepositoryName repository, Tag tag) {
    return tags == null ? null : young(tags.get(new TagKey(repository, tag)));
  }

  private <V> V young(Held<V> held) {
    return held != null && nanoClock.getAsLong() - held.atNanos() < maxAgeNanos ? held.value() : null;
  }

  /** Holds a manifest of {@code bytes} bytes that storage has for the repository. */
  public void putManifest(long ticket, RepositoryName repository, Digest digest, M manifest, long bytes) {
    if (manifests != null) {
      manifests.put(new ManifestKey(repository, digest), new Held<>(manifest, nanoClock.getAsLong()),
          bytes + MANIFEST_OVERHEAD,
          () -> removals.get() == ticket);
    }
  }

  /** The tag's stored link names {@code digest} (read, or just written). */
  public void putTag(long ticket, RepositoryName repository, Tag tag, Digest digest) {
    if (tags != null) {
      long weight = TAG_OVERHEAD + 2L * (repository.value().length() + tag.value().length());
      tags.put(new TagKey(repository, tag), new Held<>(digest, nanoClock.getAsLong()), weight,
          () -> removals.get() == ticket);
    }
  }

  /** Storage does not have this manifest for the repository (any more). */
  public void forgetManifest(RepositoryName repository, Digest digest) {
    ManifestKey key = new ManifestKey(repository, digest);
    // Only when held: a cold miss says this too, and must not refuse concurrent fills.
    if (manifests != null && manifests.get(key) != null) {
      removals.incrementAndGet();
      manifests.remove(key);
    }
  }

  /** The tag's link is not known to name what is held (gone, or the upstream moved the tag). */
  public void forgetTag(RepositoryName repository, Tag tag) {
    TagKey key = new TagKey(repository, tag);
    if (tags != null && tags.get(key) != null) {
      removals.incrementAndGet();
      tags.remove(key);
    }
  }

  @Override
  public void revisionRemoved(RepositoryName repository, Digest digest, List<Tag> removedTags) {
    if (manifests == null) {
      return;
    }
    // Counted before the entries go: a put that read storage before the removal is refused.
    removals.incrementAndGet();
    manifests.remove(new ManifestKey(repository, digest));
    tags.removeIf((k, d) -> k.repository().equals(repository)
        && (d.value().equals(digest) || removedTags.contains(k.tag())));
  }

  @Override
  public void blobRemoved(Digest digest) {
    if (manifests == null) {
      return;
    }
    removals.incrementAndGet();
    manifests.removeIf((k, m) -> k.digest().equals(digest));
  }

  /** Bytes held, overheads included. */
  public long bytes() {
    return manifests == null ? 0 : manifests.weight() + tags.weight();
  }

  /** The budget. */
  public long capacity() {
    return manifests == null ? 0 : manifests.capacity() + tags.capacity();
  }

  int manifestCount() {
    return manifests == null ? 0 : manifests.size();
  }

  int tagCount() {
    return tags == null ? 0 : tags.size();
  }
}
