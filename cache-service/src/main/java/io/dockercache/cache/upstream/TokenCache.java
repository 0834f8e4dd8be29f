package io.dockercache.cache.upstream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Optional;

/**
 * Bearer tokens by scope, bounded. Docker Hub issues an anonymous token for any well-formed
 * repository name, so a client looping over made-up names would otherwise grow the heap by a JWT
 * per name, forever: expired tokens are dropped, and past the bound the least recently used goes.
 */
final class TokenCache {

  /** A few thousand JWTs of 1-2 KB: a few MB at most, far more scopes than a cluster pulls at once. */
  static final int DEFAULT_MAX_ENTRIES = 2048;
  /** Sweep expired tokens at most this often when below the bound, so a put stays cheap. */
  private static final Duration SWEEP_INTERVAL = Duration.ofMinutes(1);

  private record Token(String value, Instant expires) {}

  private final int maxEntries;
  private final Clock clock;
  /** Access order: the eldest entry is the least recently used. Guarded by {@code this}. */
  private final LinkedHashMap<String, Token> byScope = new LinkedHashMap<>(16, 0.75f, true);
  private Instant lastSweep;

  TokenCache(int maxEntries, Clock clock) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be positive: " + maxEntries);
    }
    this.maxEntries = maxEntries;
    this.clock = clock;
    this.lastSweep = clock.instant();
  }

  /** The scope's token while it is valid. */
  synchronized Optional<String> get(String scope) {
    Token token = byScope.get(scope);
    if (token == null) {
      return Optional.empty();
    }
    if (!clock.instant().isBefore(token.expires())) {
      byScope.remove(scope);
      return Optional.empty();
    }
    return Optional.of(token.value());
  }

  /** Keeps {@code value} for {@code scope} during {@code lifetime} from now. */
  synchronized void put(String scope, String value, Duration lifetime) {
    Instant now = clock.instant();
    byScope.put(scope, new Token(value, now.plus(lifetime)));
    if (byScope.size() > maxEntries || !now.isBefore(lastSweep.plus(SWEEP_INTERVAL))) {
      byScope.values().removeIf(t -> !now.isBefore(t.expires()));
      lastSweep = now;
    }
    Iterator<String> eldest = byScope.keySet().iterator();
    while (byScope.size() > maxEntries) {
      eldest.next();
      eldest.remove();
    }
  }

  synchronized int size() {
    return byScope.size();
  }
}
