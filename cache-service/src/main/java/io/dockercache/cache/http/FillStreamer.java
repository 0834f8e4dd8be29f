package io.dockercache.cache.http;

import io.dockercache.cache.pullthrough.BlobFill;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServerResponse;

/**
 * Sends one client the bytes of a running {@link BlobFill} as they land in its file, with the
 * client's own backpressure. The last byte waits for the fill's verdict: verified, the response
 * ends cleanly; failed, the connection is reset, so a client never sees a clean end of bad bytes.
 */
final class FillStreamer {

  private static final int CHUNK = 512 * 1024;

  private final Vertx vertx;
  private final BlobFill fill;
  private final HttpServerResponse response;
  private final long endExclusive;
  private long position;
  private AsyncFile file;
  private final Runnable committed;
  private Runnable unsubscribe = () -> {};
  private boolean fileGone;
  private boolean reading;
  private boolean stopped;

  /**
   * Streams bytes [start, endExclusive); {@code endExclusive} is -1 to stream to the end.
   * {@code committed} serves the response from storage instead, when the fill's file is gone
   * before this reader opened it (a remote backend deletes it once uploaded).
   */
  FillStreamer(Vertx vertx, BlobFill fill, HttpServerResponse response, long start, long endExclusive,
      Runnable committed) {
    this.vertx = vertx;
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
    vertx.fileSystem().open(fill.file().toString(), new OpenOptions().setRead(true).setWrite(false))
        .onSuccess(f -> {
          file = f;
          pump();
        })
        .onFailure(e -> {
          // The staging file may have just been renamed to its final name by the commit.
          if (fill.state() == BlobFill.State.DONE && !stopped) {
            vertx.fileSystem().open(fill.file().toString(), new OpenOptions().setRead(true).setWrite(false))
                .onSuccess(f -> {
                  file = f;
                  pump();
                })
                .onFailure(again -> fileGone());
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
    if (stopped || reading) {
      return;
    }
    BlobFill.State state = fill.state();
    if (file == null) {
      if (fileGone && state == BlobFill.State.DONE) {
        stop();
        committed.run();
      } else if (fileGone && state == BlobFill.State.FAILED) {
        abort();
      }
      return;
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
    if (position >= limit) {
      return; // wait for the fill to signal
    }
    int length = (int) Math.min(CHUNK, limit - position);
    reading = true;
    file.read(Buffer.buffer(length), 0, position, length).onComplete(ar -> {
      reading = false;
      if (stopped) {
        return;
      }
      if (ar.failed() || ar.result().length() == 0) {
        abort();
        return;
      }
      position += ar.result().length();
      response.write(ar.result());
      if (response.writeQueueFull()) {
        response.drainHandler(v -> pump());
      } else {
        pump();
      }
    });
  }

  /** Ends the response without a clean end: the client must not mistake it for a whole blob. */
  private void abort() {
    stop();
    ErrorResponder.send(response, false, fill.failure() != null ? fill.failure()
        : new IllegalStateException("cannot read the file of " + fill.digest()));
  }

  private void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    unsubscribe.run();
    if (file != null) {
      file.close();
    }
  }
}
