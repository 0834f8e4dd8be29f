package io.dockercache.cache.http;

import io.dockercache.cache.upstream.RateLimitedException;
import io.dockercache.cache.upstream.UpstreamException;
import io.dockercache.common.ErrorCode;
import io.dockercache.common.RegistryException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The one place a failure becomes a response: the Registry API's JSON error envelope with the
 * code's status, or, once bytes have gone out, a connection reset (never a clean end).
 */
final class ErrorResponder {

  private static final Logger LOG = Logger.getLogger(ErrorResponder.class);
  static final String REALM = "docker-cache";

  private ErrorResponder() {}

  /** Sends the error; {@code head} leaves the body out (a HEAD response has none). */
  static void send(HttpServerResponse response, boolean head, Throwable failure) {
    RegistryException error = asRegistryError(failure);
    if (response.ended() || response.closed()) {
      return;
    }
    if (response.headWritten()) {
      response.reset();
      return;
    }
    JsonObject entry = new JsonObject()
        .put("code", error.code().code())
        .put("message", error.getMessage());
    if (error.detail() != null) {
      entry.put("detail", error.detail());
    }
    String body = new JsonObject().put("errors", new JsonArray().add(entry)).encode();
    response.headers().clear();
    response.putHeader(RegistryRoutes.API_VERSION_HEADER, RegistryRoutes.API_VERSION)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
        .setStatusCode(error.code().httpStatus());
    if (error.code() == ErrorCode.UNAUTHORIZED) {
      // The only credentials this registry asks for are its htpasswd users'.
      response.putHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\"");
    }
    if (error.code() == ErrorCode.TOOMANYREQUESTS) {
      // The upstream's back-off: the client may come back when the cache will ask it again.
      rateLimit(failure).ifPresent(limited -> response.putHeader("Retry-After",
          String.valueOf(limited.retryAfterSeconds(Instant.now()))));
    }
    if (head) {
      response.putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(body.length())).end();
    } else {
      response.end(body);
    }
  }

  /** The upstream rate limit behind a failure, however deep it was wrapped. */
  static Optional<RateLimitedException> rateLimit(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RateLimitedException limited) {
        return Optional.of(limited);
      }
    }
    return Optional.empty();
  }

  static RegistryException asRegistryError(Throwable failure) {
    if (failure instanceof RegistryException re) {
      return re;
    }
    if (failure instanceof RateLimitedException limited) {
      return new RegistryException(ErrorCode.TOOMANYREQUESTS, limited.getMessage(), limited);
    }
    if (failure instanceof UpstreamException ue) {
      return new RegistryException(ErrorCode.UNAVAILABLE, ue.getMessage(), ue);
    }
    if (failure instanceof java.io.IOException || failure instanceof java.io.UncheckedIOException) {
      // Storage did not answer (a remote backend down, a disk error): retryable, not a bug.
      LOG.warnf("storage failure: %s", failure.getMessage());
      return new RegistryException(ErrorCode.UNAVAILABLE, "storage unavailable: " + failure.getMessage(), failure);
    }
    LOG.error("unexpected failure", failure);
    return new RegistryException(ErrorCode.UNKNOWN, "internal error: " + failure, failure);
  }
}
