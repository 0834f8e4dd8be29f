package io.dockercache.cache.storage.azure;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Heap for the read buffers of Azure responses beyond each one's small base chunk: a response
 * that streams a large blob grows its chunk (fewer round trips) only while the shared budget
 * allows, so memory stays bounded however many responses run (review #7: 200 concurrent hits
 * must fit a small heap).
 */
final class ReadBudget {

  private final AtomicLong left;

  ReadBudget(long bytes) {
    this.left = new AtomicLong(bytes);
  }

  /** Takes up to {@code wanted} bytes; returns how many were granted (0 when none are left). */
  long take(long wanted) {
    while (true) {
      long now = left.get();
      long granted = Math.min(now, wanted);
      if (granted <= 0) {
        return 0;
      }
      if (left.compareAndSet(now, now - granted)) {
        return granted;
      }
    }
  }

  void give(long bytes) {
    if (bytes > 0) {
      left.addAndGet(bytes);
    }
  }
}
