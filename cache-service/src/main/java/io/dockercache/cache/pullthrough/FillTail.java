package io.dockercache.cache.pullthrough;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayDeque;

/**
 * What a fill receives after storage refused a write (a full disk): the bytes from
 * {@link #start()} on, kept in memory only until the one client that {@link BlobFill#claimTail()
 * claimed} them takes them. The upstream is paused while more than a bound is waiting, so the
 * client's pace sets the download's and memory stays small. The verdict comes last: the client
 * ends its response cleanly only when {@link #verified()}.
 *
 * <p>Written on the download's event loop, read on the client's: every method is synchronized.
 */
public final class FillTail {

  /** Bytes waiting for the client beyond which the upstream is paused. */
  static final int HIGH_WATER = 256 * 1024;

  private final long start;
  private final ArrayDeque<Buffer> queue = new ArrayDeque<>();
  private final Runnable resumeUpstream;
  private long queued;
  private boolean upstreamPaused;
  private boolean ended;
  private Throwable failure;

  FillTail(long start, Runnable resumeUpstream) {
    this.start = start;
    this.resumeUpstream = resumeUpstream;
  }

  /** The blob offset of the first byte of the tail: bytes before it are in the staging file. */
  public long start() {
    return start;
  }

  /** Queues a chunk; true when the upstream must now pause until the client catches up. */
  synchronized boolean offer(Buffer chunk) {
    if (chunk.length() > 0) {
      queue.add(chunk);
      queued += chunk.length();
    }
    if (queued >= HIGH_WATER && !upstreamPaused) {
      upstreamPaused = true;
      return true;
    }
    return false;
  }

  /** The next chunk, or null when none is waiting; resumes the upstream once the queue is low. */
  public Buffer poll() {
    Buffer next;
    boolean resume = false;
    synchronized (this) {
      next = queue.poll();
      if (next != null) {
        queued -= next.length();
      }
      if (upstreamPaused && queued < HIGH_WATER / 2) {
        upstreamPaused = false;
        resume = true;
      }
    }
    if (resume) {
      resumeUpstream.run();
    }
    return next;
  }

  /** The upstream body ended: verified ({@code failure} null) or not. */
  synchronized void end(Throwable failure) {
    if (!ended) {
      ended = true;
      this.failure = failure;
      if (failure != null) {
        queue.clear(); // the client is aborted; nothing more of a failed body goes out
        queued = 0;
      }
    }
  }

  /** Nothing more will come, and everything queued has been taken. */
  public synchronized boolean finished() {
    return ended && queue.isEmpty();
  }

  /** Ended, and the whole body hashed to the digest at the announced size. */
  public synchronized boolean verified() {
    return ended && failure == null;
  }

  /** Why the tail did not verify; null while it runs or when it verified. */
  public synchronized Throwable failure() {
    return failure;
  }
}
