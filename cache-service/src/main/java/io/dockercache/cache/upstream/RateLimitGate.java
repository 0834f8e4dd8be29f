package io.dockercache.cache.upstream;

import io.dockercache.cache.metrics.CacheMetrics;
import io.dockercache.cache.metrics.UpstreamMeters;
import io.vertx.core.http.HttpMethod;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * What a rate limit means for the requests to one upstream: its 429s open the {@link Backoff}
 * window, and while it is open manifest and blob GETs are refused before they are sent. HEADs,
 * tag lists and tokens always pass: Docker Hub counts only manifest GETs against its limit, and
 * a HEAD keeps tags revalidated and client HEADs answered.
 */
final class RateLimitGate {

  private static final Logger LOG = Logger.getLogger(RateLimitGate.class);

  private final String host;
  private final Backoff backoff;
  private final UpstreamMeters metrics;

  RateLimitGate(String host, Clock clock, UpstreamMeters metrics) {
    this.host = host;
    this.backoff = new Backoff(clock);
    this.metrics = metrics;
    metrics.backoff(backoff::secondsLeft);
  }

  /** The kind of content a request path fetches, if a rate limit is about it at all. */
  static Optional<CacheMetrics.Kind> kind(String pathInRepository) {
    if (pathInRepository.startsWith("manifests/")) {
      return Optional.of(CacheMetrics.Kind.MANIFEST);
    }
    return pathInRepository.startsWith("blobs/") ? Optional.of(CacheMetrics.Kind.BLOB) : Optional.empty();
  }

  /** Why {@code what} must not be sent now, or empty when it may go. */
  Optional<RateLimitedException> refusal(HttpMethod method, String pathInRepository, String what) {
    Optional<CacheMetrics.Kind> kind = kind(pathInRepository);
    if (method != HttpMethod.GET || kind.isEmpty()) {
      return Optional.empty();
    }
    return backoff.openUntil().map(until -> {
      metrics.heldBack(kind.get());
      return limited(what + " not sent", until);
    });
  }

  /** The upstream answered 429: hold back for what its {@code Retry-After} (may be null) asks. */
  void answered429(String retryAfter) {
    Duration wait = RetryAfter.parse(retryAfter, backoff.clock().instant());
    boolean wasOpen = backoff.openUntil().isPresent();
    Instant until = backoff.hold(wait);
    if (!wasOpen) {
      LOG.warnf("%s answered 429 (Retry-After: %s): no manifest or blob GETs to it until %s", host,
          retryAfter == null ? "none, " + RetryAfter.DEFAULT.toSeconds() + " s assumed" : retryAfter, until);
    }
  }

  /** The failure for {@code what}, answered 429, with the time the window has left. */
  RateLimitedException answeredLimited(String what) {
    return limited(what + " answered 429", backoff.openUntil().orElse(backoff.clock().instant()));
  }

  private RateLimitedException limited(String what, Instant until) {
    long seconds = RateLimitedException.secondsUntil(until, backoff.clock().instant());
    return new RateLimitedException(what + ": " + host + " rate limit reached; no manifest or blob"
        + " GET is sent to it for " + seconds + " s more", until);
  }
}
