package io.dockercache.cache.pullthrough;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The staging bytes that running fills announced, so that a fill starts only when it fits beside
 * them: on a disk with room for one blob, two concurrent fills must not both begin and both hit
 * ENOSPC half-way. Conservative (a running fill's written bytes count twice), never optimistic.
 */
final class StagingRoom {

  /** Kept free for links, manifests and the access records. */
  static final long MARGIN = 8L * 1024 * 1024;

  private final AtomicLong reserved = new AtomicLong();

  /** Reserves {@code size} bytes on a filesystem with {@code usable} free; false when they do not fit. */
  boolean reserve(long size, long usable) {
    if (size < 0) {
      return true; // no Content-Length: nothing to decide on; the write itself will tell
    }
    if (reserved.addAndGet(size) > usable - MARGIN) {
      reserved.addAndGet(-size);
      return false;
    }
    return true;
  }

  void release(long size) {
    if (size > 0) {
      reserved.addAndGet(-size);
    }
  }
}
