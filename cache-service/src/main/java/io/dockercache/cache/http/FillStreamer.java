package io.dockercache.cache.http;

import io.dockercache.cache.pullthrough.BlobFill;
import io.dockercache.cache.pullthrough.FillTail;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Sends one client the bytes of a running {@link BlobFill} as they land in its file, with the
 * client's own backpressure. The last byte waits for the fill's verdict: verified, the response
 * ends cleanly; failed, the connection is reset, so a client never sees a clean end of bad bytes.
 *
 * <p>One chunk is in flight at a time: no read starts while the client's write queue is full, a
 * drain handler fires once, and a write that fails resets the connection (a dropped write must
 * never turn into a clean end short of bytes, review item 6).
 *
 * <p>On a plain HTTP/1.x response of known length the written bytes go out from the file by
 * {@code sendfile} ({@link ZeroCopy}), one region at a time. Where they must be copied (TLS,
 * HTTP/2, chunked), a reader on the download's own event loop that has caught up with the file is
 * fed the bytes as they arrive ({@link BlobFill#goLive}); when its client falls behind (a full
 * write queue) it goes back to reading the file.
 *
 * <p>When storage refuses the fill's writes ({@link BlobFill.State#UNCACHED}), the first client
 * to notice claims the fill's {@link FillTail}: it reads the rest of the file it has open, then the
 * tail from memory, holding back its last byte until the tail's verdict. The others are reset.
 */
final class FillStreamer {

  /**
   * One pooled netty buffer: Quarkus sizes netty's pool chunks at 64 KiB, and a larger heap write
   * is copied into an unpooled direct buffer of its own size (direct memory per response grows).
   */
  private static final int CHUNK = 64 * 1024;

  private final Vertx vertx;
  private final BlobFill fill;
  private final HttpServerResponse response;
  private final long endExclusive;
  private long position;
  /** The fill's file, read from or sent from by {@link #zeroCopy}; null until it is open. */
  private FileChannel channel;
  /** Null where the bytes must be copied (TLS, HTTP/2, chunked): they are read and written. */
  private final ZeroCopy zeroCopy;
  private final Runnable committed;
  private Runnable unsubscribe = () -> {};
  private boolean fileGone;
  private boolean reading;
  private boolean draining;
  private boolean stopped;
  /** Fed by the fill as bytes arrive, instead of reading the file. */
  private boolean live;
  /** Set once this response is the one fed from the tail of an uncached fill. */
  private FillTail tail;
  private long tailOffset;
  private Buffer held;

  /**
   * Streams bytes [start, endExclusive); {@code endExclusive} is -1 to stream to the end.
   * {@code committed} serves the response from storage instead, when the fill's file is gone
   * before this reader opened it (a remote backend deletes it once uploaded).
   */
  FillStreamer(Vertx vertx, BlobFill fill, HttpServerResponse response, Optional<ZeroCopy> zeroCopy,
      long start, long endExclusive, Runnable committed) {
    this.vertx = vertx;
    this.zeroCopy = zeroCopy.orElse(null);
    this.committed = committed;
    this.fill = fill;
    this.response = response;
    this.position = start;
    this.endExclusive = endExclusive;
  }

  void start() {
    Context context = vertx.getOrCreateContext();
    response.closeHandler(v -> stop());
    unsubscribe = fill.subscribe(context, this::pump);
    open();
  }

  private void open() {
    open(true);
  }

  /** Opens the fill's file, again once if the commit has just renamed it to its final name. */
  private void open(boolean first) {
    vertx.executeBlocking(() -> FileChannel.open(fill.file(), StandardOpenOption.READ), false)
        .onSuccess(c -> {
          if (stopped) {
            closeQuietly(c); // the client left while it opened: no descriptor (or deleted file) is kept
            return;
          }
          channel = c;
          pump();
        })
        .onFailure(e -> {
          if (first && fill.state() == BlobFill.State.DONE && !stopped) {
            open(false);
          } else {
            fileGone();
          }
        });
  }

  /** Nothing was sent yet: once the fill has committed, the stored blob serves this response. */
  private void fileGone() {
    fileGone = true;
    pump();
  }

  private void pump() {
    if (stopped || reading || draining) {
      return;
    }
    BlobFill.State state = fill.state();
    if (state == BlobFill.State.UNCACHED && tail == null) {
      if (channel == null || !fill.claimTail()) {
        abort(); // one client is fed from memory; the others cannot be
        return;
      }
      tail = fill.tail();
      tailOffset = tail.start();
    }
    if (tail != null) {
      pumpTail();
      return;
    }
    if (channel == null) {
      if (fileGone && state == BlobFill.State.DONE) {
        stop();
        committed.run();
      } else if (fileGone && state == BlobFill.State.FAILED) {
        abort();
      }
      return;
    }
    if (live) {
      if (state == BlobFill.State.RUNNING) {
        return; // the fill feeds this response
      }
      live = false; // the verdict came: the rest, the held-back byte at least, is in the file
    }
    long available = fill.available();
    if (state == BlobFill.State.FAILED) {
      abort();
      return;
    }
    long end = endExclusive >= 0 ? endExclusive : (state == BlobFill.State.DONE ? available : Long.MAX_VALUE);
    if (position >= end) {
      if (state != BlobFill.State.DONE) {
        return; // only the verdict ends a response cleanly, an empty one included (review #8)
      }
      stop();
      response.end();
      return;
    }
    // Everything written may go out, except the response's last byte before verification.
    long limit = state == BlobFill.State.DONE ? end : Math.min(available, end - 1);
    if (zeroCopy == null && state == BlobFill.State.RUNNING && position >= available && position < end - 1) {
      live = true;
      if (fill.goLive(position, this::take)) {
        return;
      }
      live = false;
      if (stopped || draining) {
        return;
      }
    }
    if (position >= limit) {
      return; // wait for the fill to signal
    }
    if (zeroCopy != null) {
      sendRegion(limit);
      return;
    }
    read(limit, false);
  }

  /**
   * Uncached: the rest of the staging file, then the tail from memory (dropping what lies beyond
   * a range's end, so the download is never held up); every byte but the last goes out at once.
   */
  private void pumpTail() {
    if (tail.failure() != null) {
      abort(tail.failure());
      return;
    }
    long end = endExclusive >= 0 ? endExclusive : Long.MAX_VALUE;
    long fileEnd = Math.min(tail.start(), end);
    if (position < fileEnd) {
      read(fileEnd, true);
      return;
    }
    for (Buffer chunk = tail.poll(); chunk != null; chunk = tail.poll()) {
      long chunkStart = tailOffset;
      tailOffset += chunk.length();
      long from = Math.max(position, chunkStart);
      long to = Math.min(end, tailOffset);
      if (from < to) {
        position = to;
        sendHolding(chunk.slice((int) (from - chunkStart), (int) (to - chunkStart)));
        if (stopped) {
          return;
        }
        if (response.writeQueueFull()) {
          awaitDrain();
          return;
        }
      }
    }
    if (tail.finished()) {
      if (!tail.verified()) {
        abort(tail.failure());
        return;
      }
      stop();
      if (held != null) {
        response.end(held);
      } else {
        response.end();
      }
    }
  }

  /** Sends the file's bytes from {@code position} to {@code limit}, zero-copy; one region at a time. */
  private void sendRegion(long limit) {
    long from = position;
    position = limit;
    reading = true;
    zeroCopy.send(channel, from, limit - from).onComplete(ar -> {
      reading = false;
      if (stopped) {
        return;
      }
      if (ar.failed()) {
        writeFailed(ar.cause());
        return;
      }
      pump();
    });
  }

  /** Reads and sends the next chunk of the file below {@code limit}. */
  private void read(long limit, boolean holding) {
    int length = (int) Math.min(CHUNK, limit - position);
    reading = true;
    readAt(position, length).onComplete(ar -> {
      reading = false;
      if (stopped) {
        return;
      }
      if (ar.failed() || ar.result().length() == 0) {
        abort();
        return;
      }
      position += ar.result().length();
      if (holding) {
        sendHolding(ar.result());
      } else {
        response.write(ar.result()).onFailure(this::writeFailed);
      }
      if (stopped) {
        return;
      }
      if (response.writeQueueFull()) {
        awaitDrain();
      } else {
        pump();
      }
    });
  }

  private Future<Buffer> readAt(long at, int length) {
    FileChannel c = channel;
    return vertx.executeBlocking(() -> {
      ByteBuffer bytes = ByteBuffer.allocate(length);
      while (bytes.hasRemaining() && c.read(bytes, at + bytes.position()) > 0) {
        // a short read is continued up to the end of the file
      }
      return Buffer.buffer(bytes.array()).getBuffer(0, bytes.position());
    }, false);
  }

  /**
   * The next bytes from the fill, live: sent up to the last byte of the response, which waits
   * for the verdict. False (no longer live) at that byte, or when the client's queue is full.
   */
  private boolean take(Buffer chunk) {
    if (stopped || !live) {
      return false;
    }
    long sendable = (endExclusive >= 0 ? endExclusive - 1 : Long.MAX_VALUE) - position;
    int n = (int) Math.min(chunk.length(), sendable);
    if (n > 0) {
      position += n;
      response.write(n == chunk.length() ? chunk : chunk.slice(0, n)).onFailure(this::writeFailed);
    }
    if (stopped || n < chunk.length()) {
      live = false;
      return false;
    }
    if (response.writeQueueFull()) {
      live = false;
      awaitDrain();
      return false;
    }
    return true;
  }

  /** Sends all of {@code chunk} but its last byte, which waits for the next chunk or the verdict. */
  private void sendHolding(Buffer chunk) {
    if (held != null) {
      response.write(held).onFailure(this::writeFailed);
    }
    if (chunk.length() > 1) {
      response.write(chunk.slice(0, chunk.length() - 1)).onFailure(this::writeFailed);
    }
    held = chunk.slice(chunk.length() - 1, chunk.length()).copy();
  }

  private void awaitDrain() {
    draining = true;
    response.drainHandler(v -> {
      response.drainHandler(null);
      draining = false;
      pump();
    });
  }

  private void writeFailed(Throwable cause) {
    if (!stopped) {
      stop();
      ErrorResponder.send(response, false, cause);
    }
  }

  /** Ends the response without a clean end: the client must not mistake it for a whole blob. */
  private void abort() {
    abort(fill.failure() != null ? fill.failure()
        : new IllegalStateException("cannot read the file of " + fill.digest()));
  }

  private void abort(Throwable cause) {
    stop();
    ErrorResponder.send(response, false, cause);
  }

  private static void closeQuietly(FileChannel c) {
    try {
      c.close();
    } catch (IOException e) {
      // only read from: nothing is lost
    }
  }

  private void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    unsubscribe.run();
    if (channel != null) {
      FileChannel c = channel;
      vertx.executeBlocking(() -> {
        closeQuietly(c);
        return null;
      }, false);
    }
    if (tail != null && !tail.finished()) {
      fill.dropTail();
    }
  }
}
