package io.dockercache.cache.pullthrough;

/** How a request was served; the {@code result} metric label. */
public enum CacheResult {
  /** From storage, without asking the upstream for the bytes. */
  HIT,
  /** Fetched from the upstream (and stored). */
  MISS,
  /** From storage because the upstream failed (stale-if-error). */
  STALE;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
