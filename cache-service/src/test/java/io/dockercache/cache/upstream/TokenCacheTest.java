package io.dockercache.cache.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TokenCacheTest {

  private final SteppedClock clock = new SteppedClock();

  @Test
  void get_beforeExpiry_returnsToken_afterExpiry_forgetsIt() {
    TokenCache cache = new TokenCache(10, clock);
    cache.put("repository:a:pull", "t1", Duration.ofSeconds(50));

    clock.advance(Duration.ofSeconds(49));
    assertEquals(Optional.of("t1"), cache.get("repository:a:pull"));
    clock.advance(Duration.ofSeconds(1));

    assertEquals(Optional.empty(), cache.get("repository:a:pull"));
    assertEquals(0, cache.size());
  }

  @Test
  void put_pastTheBound_dropsTheLeastRecentlyUsed() {
    TokenCache cache = new TokenCache(2, clock);
    cache.put("a", "ta", Duration.ofMinutes(5));
    cache.put("b", "tb", Duration.ofMinutes(5));
    cache.get("a");

    cache.put("c", "tc", Duration.ofMinutes(5));

    assertEquals(Optional.of("ta"), cache.get("a"));
    assertEquals(Optional.empty(), cache.get("b"));
    assertEquals(Optional.of("tc"), cache.get("c"));
  }

  @Test
  void put_manyScopes_neverHoldsMoreThanTheBound() {
    TokenCache cache = new TokenCache(100, clock);

    for (int i = 0; i < 10_000; i++) {
      cache.put("repository:r" + i + ":pull", "token" + i, Duration.ofMinutes(5));
      assertTrue(cache.size() <= 100, "size " + cache.size() + " after " + i);
    }
  }

  @Test
  void put_afterTheSweepInterval_dropsExpiredTokensNeverAskedForAgain() {
    TokenCache cache = new TokenCache(100, clock);
    for (int i = 0; i < 50; i++) {
      cache.put("repository:r" + i + ":pull", "token" + i, Duration.ofSeconds(50));
    }

    clock.advance(Duration.ofMinutes(2));
    cache.put("repository:fresh:pull", "fresh", Duration.ofSeconds(50));

    assertEquals(1, cache.size());
  }

  /** A clock that moves only when told. */
  private static final class SteppedClock extends Clock {
    private Instant now = Instant.parse("2026-12-01T00:00:00Z");

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
