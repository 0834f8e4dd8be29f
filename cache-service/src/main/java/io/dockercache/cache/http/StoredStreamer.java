package io.dockercache.cache.http;

import io.dockercache.cache.storage.Storage;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.InputStream;

/**
 * Sends a byte range of a stored blob that has no local file, read through {@link Storage#open}
 * on worker threads one chunk at a time: the next chunk is read only when the client has taken
 * the last one, so memory per response is about one chunk. A failure before the first byte is a
 * registry error; after it, a connection reset (never a clean end of short bytes).
 */
final class StoredStreamer {

  private static final int CHUNK = 256 * 1024;

  private final Vertx vertx;
  private final Storage storage;
  private final String key;
  private final HttpServerResponse response;
  private final long start;
  private long remaining;
  private InputStream in;
  private boolean reading;
  private boolean stopped;

  StoredStreamer(Vertx vertx, Storage storage, String key, HttpServerResponse response, long start,
      long endExclusive) {
    this.vertx = vertx;
    this.storage = storage;
    this.key = key;
    this.response = response;
    this.start = start;
    this.remaining = endExclusive - start;
  }

  void start() {
    response.closeHandler(v -> stop());
    vertx.executeBlocking(() -> storage.open(key, start, remaining), false).onComplete(ar -> {
      if (ar.failed()) {
        stopped = true;
        ErrorResponder.send(response, false, ar.cause());
        return;
      }
      in = ar.result();
      if (stopped) {
        close();
      } else {
        pump();
      }
    });
  }

  /** Reads and sends the next chunk; one read at a time, however often the client drains. */
  private void pump() {
    if (stopped || reading) {
      return;
    }
    if (remaining == 0) {
      stop();
      response.end();
      return;
    }
    int length = (int) Math.min(CHUNK, remaining);
    reading = true;
    vertx.executeBlocking(() -> read(length), false).onComplete(ar -> {
      reading = false;
      if (stopped) {
        return;
      }
      if (ar.failed()) {
        stop();
        ErrorResponder.send(response, false, ar.cause());
        return;
      }
      remaining -= ar.result().length();
      response.write(ar.result());
      if (response.writeQueueFull()) {
        response.drainHandler(v -> {
          response.drainHandler(null);
          pump();
        });
      } else {
        pump();
      }
    });
  }

  private Buffer read(int length) throws IOException {
    byte[] bytes = in.readNBytes(length);
    if (bytes.length < length) {
      throw new IOException("read " + key + ": ended " + (remaining - bytes.length)
          + " bytes before the end of the range");
    }
    return Buffer.buffer(bytes);
  }

  private void stop() {
    if (!stopped) {
      stopped = true;
      close();
    }
  }

  private void close() {
    if (in != null) {
      try {
        in.close();
      } catch (IOException e) {
        // nothing is left to read from it either way
      }
    }
  }
}
