package io.dockercache.cache.pullthrough;

import io.dockercache.cache.upstream.RateLimitedException;
import io.dockercache.cache.upstream.UpstreamException;
import io.dockercache.common.ErrorCode;
import io.dockercache.common.RegistryException;

/** Turns what the upstream answered into what the cache tells its client. */
final class UpstreamAnswers {

  private UpstreamAnswers() {}

  /**
   * The registry error for an upstream status other than success. {@code notFound} is the code a
   * 404 becomes (MANIFEST_UNKNOWN, BLOB_UNKNOWN, NAME_UNKNOWN); {@code action} names what failed.
   */
  static RegistryException error(int status, ErrorCode notFound, String action, String host) {
    return switch (status) {
      case 404 -> new RegistryException(notFound, action + ": not found on " + host);
      case 401, 403 -> new RegistryException(ErrorCode.DENIED,
          action + ": " + host + " refused access (" + status + ")");
      case 429 -> new RegistryException(ErrorCode.TOOMANYREQUESTS,
          action + ": " + host + " rate limit reached (429)");
      default -> new RegistryException(ErrorCode.UNAVAILABLE,
          action + ": " + host + " answered " + status);
    };
  }

  /**
   * The registry error for no answer at all, or for a request the upstream's rate limit stopped
   * (429 {@code TOOMANYREQUESTS}; the cause carries the time left for {@code Retry-After}).
   */
  static RegistryException unreachable(String action, Throwable cause) {
    if (cause instanceof RateLimitedException) {
      return new RegistryException(ErrorCode.TOOMANYREQUESTS, action + ": " + cause.getMessage(), cause);
    }
    return new RegistryException(ErrorCode.UNAVAILABLE,
        action + ": upstream unavailable: " + cause.getMessage(), cause);
  }

  /** Whether an upstream outcome allows serving what we have (stale-if-error, DESIGN.md §3 rule 4). */
  static boolean allowsStale(int status) {
    return status == 429 || status >= 500;
  }
}
