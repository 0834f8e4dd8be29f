package io.dockercache.cache.http;

import io.dockercache.cache.pullthrough.BlobSource;
import io.dockercache.cache.storage.Storage;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Sends a byte range of a stored blob that has no local file, read through {@link Storage#open}
 * on worker threads one chunk at a time: the next chunk is read only when the client has taken
 * the last one, so memory per response is about one chunk. A failure before the first byte is a
 * registry error; after it, a connection reset (never a clean end of short bytes). With a
 * {@link BlobSource.Verify}, the bytes are hashed as they go and the last one waits for the
 * verdict, as on a miss.
 */
final class StoredStreamer {

  /** One pooled netty buffer (see FillStreamer): direct memory per response stays one chunk. */
  private static final int CHUNK = 64 * 1024;

  private final Vertx vertx;
  private final Storage storage;
  private final String key;
  private final HttpServerResponse response;
  private final long start;
  private final long sendFrom;
  private final long sendTo;
  private long offset;
  private long remaining;
  private InputStream in;
  private boolean reading;
  private boolean stopped;
  private final BlobSource.Verify verify;
  private final MessageDigest hasher;
  private Buffer held;

  /**
   * Sends bytes [start, endExclusive) of the blob stored under {@code key}, whose whole size is
   * {@code size}. With a {@code verify}, the whole blob is read and hashed whatever the range (a
   * range of a blob not yet hashed since the start is never served unchecked), and only the
   * range's bytes go out.
   */
  StoredStreamer(Vertx vertx, Storage storage, String key, HttpServerResponse response, long start,
      long endExclusive, long size, BlobSource.Verify verify) {
    this.verify = verify;
    this.hasher = verify == null ? null : verify.digest().newMessageDigest();
    this.vertx = vertx;
    this.storage = storage;
    this.key = key;
    this.response = response;
    this.sendFrom = start;
    this.sendTo = endExclusive;
    this.start = verify == null ? start : 0;
    this.offset = this.start;
    this.remaining = (verify == null ? endExclusive : size) - this.start;
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
      finish();
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
      send(ar.result());
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

  /**
   * Writes the part of a chunk inside the range; when verifying, the whole chunk is hashed and the
   * last byte sent waits until the next one or the verdict.
   */
  private void send(Buffer chunk) {
    long chunkStart = offset;
    offset += chunk.length();
    if (verify == null) {
      write(chunk);
      return;
    }
    hasher.update(chunk.getByteBuf().nioBuffer());
    long from = Math.max(sendFrom, chunkStart);
    long to = Math.min(sendTo, offset);
    if (from >= to) {
      return;
    }
    Buffer part = chunk.slice((int) (from - chunkStart), (int) (to - chunkStart));
    if (held != null) {
      write(held);
    }
    if (part.length() > 1) {
      write(part.slice(0, part.length() - 1));
    }
    held = part.slice(part.length() - 1, part.length());
  }

  /** A write that fails resets the connection: a dropped chunk must never end cleanly short. */
  private void write(Buffer chunk) {
    response.write(chunk).onFailure(e -> {
      if (!stopped) {
        stop();
      }
      ErrorResponder.send(response, false, e);
    });
  }

  private void finish() {
    if (verify == null) {
      response.end();
    } else if (HexFormat.of().formatHex(hasher.digest()).equals(verify.digest().hex())) {
      verify.matched().run();
      if (held != null) {
        response.end(held);
      } else {
        response.end();
      }
    } else {
      verify.damaged().run();
      ErrorResponder.send(response, false, new IOException(
          "stored blob " + verify.digest() + " does not hash to its name; removed"));
    }
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
