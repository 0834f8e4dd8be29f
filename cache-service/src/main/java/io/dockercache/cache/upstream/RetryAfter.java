package io.dockercache.cache.upstream;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * How long an upstream's 429 asks us to wait: {@code Retry-After} (RFC 9110 §10.2.3) as
 * delta-seconds or an HTTP-date. Absent or unreadable (Docker Hub sends none with its pull-limit
 * 429) means {@link #DEFAULT}; every answer is held within [{@link #MIN}, {@link #MAX}], so a
 * broken upstream can neither make us hammer it nor lock us out for days.
 */
public final class RetryAfter {

  /** When the upstream names no time. */
  public static final Duration DEFAULT = Duration.ofSeconds(60);
  /** "Retry-After: 0" would mean asking again at once, which is what a rate limit forbids. */
  public static final Duration MIN = Duration.ofSeconds(1);
  /** Longest wait honoured; after it a single GET finds out whether the limit is still on. */
  public static final Duration MAX = Duration.ofHours(1);
  /** An IMF-fixdate is 29 characters; anything much longer is not a value we parse. */
  private static final int MAX_LENGTH = 64;

  private RetryAfter() {}

  /** The wait {@code header} (may be null) asks for, as seen at {@code now}. */
  public static Duration parse(String header, Instant now) {
    if (header == null) {
      return DEFAULT;
    }
    String value = header.strip();
    if (value.isEmpty() || value.length() > MAX_LENGTH) {
      return DEFAULT;
    }
    Duration wait = value.chars().allMatch(c -> c >= '0' && c <= '9')
        ? seconds(value)
        : untilDate(value, now);
    if (wait == null) {
      return DEFAULT;
    }
    return wait.compareTo(MIN) < 0 ? MIN : wait.compareTo(MAX) > 0 ? MAX : wait;
  }

  private static Duration seconds(String digits) {
    // More digits than a long holds is still "very long": the cap applies.
    return digits.length() > 12 ? MAX : Duration.ofSeconds(Long.parseLong(digits));
  }

  /** RFC 1123 covers the IMF-fixdate HTTP requires senders to use. */
  private static Duration untilDate(String date, Instant now) {
    try {
      Instant at = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      return Duration.between(now, at);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
