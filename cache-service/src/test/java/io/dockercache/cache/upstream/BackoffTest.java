package io.dockercache.cache.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private Instant now = Instant.parse("2026-12-01T10:00:00Z");
  private final Backoff backoff = new Backoff(new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Instant instant() {
      return now;
    }
  });

  @Test
  void neverHeld_isClosed() {
    assertEquals(Optional.empty(), backoff.openUntil());
    assertEquals(0, backoff.secondsLeft());
  }

  @Test
  void hold_opensTheWindowForItsDuration_thenItCloses() {
    backoff.hold(Duration.ofSeconds(30));

    now = now.plusSeconds(29);
    assertTrue(backoff.openUntil().isPresent());
    assertEquals(1, backoff.secondsLeft());

    now = now.plusSeconds(1);
    assertEquals(Optional.empty(), backoff.openUntil());
    assertEquals(0, backoff.secondsLeft());
  }

  @Test
  void secondsLeft_roundsUp() {
    backoff.hold(Duration.ofMillis(30_001));

    assertEquals(31, backoff.secondsLeft());
  }

  @Test
  void hold_later429WithShorterWait_neverShortensTheWindow() {
    backoff.hold(Duration.ofSeconds(60));
    now = now.plusSeconds(10);

    Instant end = backoff.hold(Duration.ofSeconds(5));

    assertEquals(now.plusSeconds(50), end);
    assertEquals(50, backoff.secondsLeft());
  }

  @Test
  void hold_longerWait_extendsTheWindow() {
    backoff.hold(Duration.ofSeconds(10));

    backoff.hold(Duration.ofSeconds(90));

    assertEquals(90, backoff.secondsLeft());
  }

  @Test
  void retryAfterSeconds_isAtLeastOne_evenAtTheEnd() {
    Instant end = backoff.hold(Duration.ofSeconds(3));
    RateLimitedException e = new RateLimitedException("limited", end);

    assertEquals(3, e.retryAfterSeconds(now));
    assertEquals(1, e.retryAfterSeconds(end));
  }
}
