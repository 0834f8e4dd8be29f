package io.dockercache.cache.http;

import io.dockercache.cache.pullthrough.BlobSource;
import io.dockercache.cache.upstream.UpstreamException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Sends one client a blob straight from the upstream, stored nowhere (there was no room to stage
 * it). As strict as a fill: the bytes are hashed on the way and the response's last byte is held
 * back until the whole blob matches its digest; then a clean end, otherwise a reset. The upstream
 * is read on its own context and paused while the client's write queue is full.
 */
final class PassThroughStreamer {

  private final BlobSource.PassThrough source;
  private final HttpServerResponse response;
  private final long start;
  private final long endExclusive;
  private final MessageDigest hasher;
  private long received;
  /** The last in-range byte seen so far: it may be the response's last, so it waits. */
  private Buffer held;
  private volatile boolean finished;

  PassThroughStreamer(BlobSource.PassThrough source, HttpServerResponse response, long start,
      long endExclusive) {
    this.source = source;
    this.response = response;
    this.start = start;
    this.endExclusive = endExclusive;
    this.hasher = source.digest().newMessageDigest();
  }

  void start() {
    HttpClientResponse upstream = source.response();
    if (response.closed()) {
      source.context().runOnContext(x -> upstream.request().reset());
      return;
    }
    response.closeHandler(v -> {
      if (!finished) {
        finished = true;
        source.context().runOnContext(x -> upstream.request().reset());
      }
    });
    source.context().runOnContext(v -> {
      upstream.handler(this::receive);
      upstream.exceptionHandler(e -> abort(new UpstreamException(source.action()
          + ": upstream body broke off after " + received + " bytes: " + e.getMessage(), e)));
      upstream.endHandler(x -> verify());
      upstream.resume();
    });
  }

  private void receive(Buffer chunk) {
    if (finished) {
      return;
    }
    hasher.update(chunk.getByteBuf().nioBuffer());
    long chunkStart = received;
    received += chunk.length();
    long from = Math.max(start, chunkStart);
    long to = endExclusive >= 0 ? Math.min(endExclusive, received) : received;
    if (from >= to) {
      return;
    }
    Buffer inRange = chunk.slice((int) (from - chunkStart), (int) (to - chunkStart));
    if (held != null) {
      response.write(held);
    }
    if (inRange.length() > 1) {
      response.write(inRange.slice(0, inRange.length() - 1));
    }
    held = inRange.slice(inRange.length() - 1, inRange.length()).copy();
    if (response.writeQueueFull()) {
      source.response().pause();
      response.drainHandler(v -> source.context().runOnContext(x -> source.response().resume()));
    }
  }

  private void verify() {
    if (finished) {
      return;
    }
    long size = source.size();
    String actual = HexFormat.of().formatHex(hasher.digest());
    if (size >= 0 && received != size) {
      abort(new UpstreamException(source.action() + ": got " + received + " of " + size + " bytes"));
    } else if (!actual.equals(source.digest().hex())) {
      abort(new UpstreamException(source.action() + ": content hashes to "
          + source.digest().algorithm() + ":" + actual + "; not served"));
    } else {
      finished = true;
      if (held != null) {
        response.end(held);
      } else {
        response.end();
      }
    }
  }

  private void abort(Throwable cause) {
    if (!finished) {
      finished = true;
      ErrorResponder.send(response, false, cause);
    }
  }
}
