package io.dockercache.cache.http;

import io.dockercache.cache.pullthrough.BlobSource;
import io.dockercache.common.ByteRange;
import io.dockercache.common.Digest;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.Optional;

/**
 * Writes a blob response: the whole blob or one Range (206, or 416 when unsatisfiable), from a
 * stored file with zero-copy {@code sendFile}, streamed from a remote store, or following a
 * running download.
 */
final class BlobResponder {

  private BlobResponder() {}

  /**
   * {@code zeroCopy}, when present, sends a running fill's bytes with {@code sendfile} (a response
   * of known length only: the regions bypass chunked framing).
   */
  static void send(Vertx vertx, HttpServerRequest request, Digest digest, BlobSource source,
      Optional<ZeroCopy> zeroCopy) {
    HttpServerResponse response = request.response();
    long size = source instanceof BlobSource.LocalFile f ? f.size()
        : source instanceof BlobSource.Stored s ? s.size()
        : source instanceof BlobSource.PassThrough p ? p.size()
        : ((BlobSource.Filling) source).fill().size();
    response.putHeader(HttpHeaders.CONTENT_TYPE, "application/octet-stream")
        .putHeader("Docker-Content-Digest", digest.toString())
        .putHeader(HttpHeaders.ETAG, "\"" + digest + "\"");
    long start = 0;
    long endExclusive = size;
    if (size >= 0) {
      response.putHeader(HttpHeaders.ACCEPT_RANGES, "bytes");
      Optional<ByteRange> range;
      try {
        range = ByteRange.parse(request.getHeader("Range"), size);
      } catch (ByteRange.NotSatisfiableException e) {
        if (source instanceof BlobSource.PassThrough p) {
          // Nobody will read it: let the upstream connection go.
          p.context().runOnContext(v -> p.response().request().reset());
        }
        response.setStatusCode(416).putHeader(HttpHeaders.CONTENT_RANGE, "bytes */" + size).end();
        return;
      }
      if (range.isPresent()) {
        start = range.get().start();
        endExclusive = range.get().end() + 1;
        response.setStatusCode(206).putHeader(HttpHeaders.CONTENT_RANGE, range.get().contentRange(size));
      }
      response.putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(endExclusive - start));
    } else {
      response.setChunked(true);
    }
    stream(vertx, request, source, start, endExclusive,
        response.isChunked() ? Optional.empty() : zeroCopy);
  }

  /** Sends bytes [start, endExclusive) of the source; {@code endExclusive} -1 is to its end. */
  private static void stream(Vertx vertx, HttpServerRequest request, BlobSource source,
      long start, long endExclusive, Optional<ZeroCopy> zeroCopy) {
    HttpServerResponse response = request.response();
    if (source instanceof BlobSource.LocalFile f) {
      response.sendFile(f.file().toString(), start, (endExclusive < 0 ? f.size() : endExclusive) - start)
          .onFailure(e -> ErrorResponder.send(response, false, e));
    } else if (source instanceof BlobSource.Stored s) {
      long end = endExclusive < 0 ? s.size() : endExclusive;
      new StoredStreamer(vertx, s.storage(), s.key(), response, start, end, s.size(), s.verify()).start();
    } else if (source instanceof BlobSource.PassThrough p) {
      new PassThroughStreamer(p, response, start, endExclusive).start();
    } else {
      BlobSource.Filling f = (BlobSource.Filling) source;
      new FillStreamer(vertx, f.fill(), response, zeroCopy, start, endExclusive,
          () -> stream(vertx, request, f.committed().get(), start, endExclusive, zeroCopy)).start();
    }
  }
}
