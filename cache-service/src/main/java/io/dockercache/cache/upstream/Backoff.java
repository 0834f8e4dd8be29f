package io.dockercache.cache.upstream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One upstream's rate-limit window: opened by a 429 for the time its {@code Retry-After} asks,
 * and while it is open no manifest or blob GET is sent there. A later 429 may extend the window,
 * never shorten it (answers from before the window opened can still arrive).
 */
final class Backoff {

  private final Clock clock;
  private final AtomicReference<Instant> until = new AtomicReference<>(Instant.MIN);

  Backoff(Clock clock) {
    this.clock = clock;
  }

  /** Holds back GETs for {@code wait} from now (or longer, if already held); returns the end. */
  Instant hold(Duration wait) {
    Instant end = clock.instant().plus(wait);
    return until.accumulateAndGet(end, (now, next) -> next.isAfter(now) ? next : now);
  }

  /** When the window ends, if it is open now. */
  Optional<Instant> openUntil() {
    Instant end = until.get();
    return clock.instant().isBefore(end) ? Optional.of(end) : Optional.empty();
  }

  /** Seconds the window stays open from now, rounded up; 0 when it is closed. */
  long secondsLeft() {
    return openUntil().map(end -> RateLimitedException.secondsUntil(end, clock.instant())).orElse(0L);
  }

  Clock clock() {
    return clock;
  }
}
