package io.dockercache.cache.upstream;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;

/**
 * Reads a small upstream body whole, counting the bytes as they arrive: a chunked body has no
 * {@code Content-Length} to check first, so only counting bounds it.
 */
public final class BoundedBody {

  private BoundedBody() {}

  /** The body, or an {@link UpstreamException} (and a reset connection) past {@code maxBytes}. */
  public static Future<Buffer> read(HttpClientResponse resp, int maxBytes, String what) {
    Promise<Buffer> promise = Promise.promise();
    Buffer body = Buffer.buffer();
    resp.handler(chunk -> {
      if (body.length() + chunk.length() > maxBytes) {
        resp.handler(null);
        // Fail first: the reset reports itself to the exception handler too.
        promise.tryFail(new UpstreamException(what + " is larger than " + maxBytes + " bytes"));
        resp.request().reset();
        return;
      }
      body.appendBuffer(chunk);
    });
    resp.exceptionHandler(promise::tryFail);
    resp.endHandler(v -> promise.tryComplete(body));
    resp.resume();
    return promise.future();
  }
}
