package io.dockercache.cache.upstream;

import java.time.Duration;
import java.time.Instant;

/**
 * The upstream rate-limits us (it answered 429, or its back-off window is still open): the client
 * is told 429 {@code TOOMANYREQUESTS} with a {@code Retry-After} of the time left.
 */
public class RateLimitedException extends UpstreamException {

  private final Instant until;

  RateLimitedException(String message, Instant until) {
    super(message);
    this.until = until;
  }

  /** When the upstream may be asked again. */
  public Instant until() {
    return until;
  }

  /** The {@code Retry-After} value for a client at {@code now}: whole seconds, at least 1. */
  public long retryAfterSeconds(Instant now) {
    return Math.max(1, secondsUntil(until, now));
  }

  static long secondsUntil(Instant end, Instant now) {
    Duration left = Duration.between(now, end);
    if (left.isNegative() || left.isZero()) {
      return 0;
    }
    // Rounded up: a client retrying after the advertised time must find the window closed.
    return left.getSeconds() + (left.getNano() > 0 ? 1 : 0);
  }
}
