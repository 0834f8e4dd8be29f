package io.dockercache.cache.metrics;

import io.dockercache.cache.metrics.CacheMetrics.Kind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The meters of one upstream registry, every one labelled {@code registry} with the name the
 * configuration gives it (never a name taken from a request, so the label set is bounded).
 */
public final class UpstreamMeters {

  /** Histogram buckets for upstream latency: a LAN registry answers in ms, Docker Hub in 100s of ms. */
  private static final Duration[] LATENCY_BUCKETS = {
      Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
      Duration.ofSeconds(10)};

  private final MeterRegistry registry;
  private final String name;
  private final ConcurrentHashMap<String, Counter> requests = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();
  private final Counter[] heldBack = new Counter[Kind.values().length];
  private final AtomicLong rateLimitRemaining = new AtomicLong(-1);
  private volatile Supplier<Number> backoffSeconds = () -> 0;

  UpstreamMeters(MeterRegistry registry, String name) {
    this.registry = registry;
    this.name = name;
    for (Kind kind : Kind.values()) {
      heldBack[kind.ordinal()] = Counter.builder("docker_cache_upstream_held_back")
          .description("Upstream GETs not sent, by kind, while the upstream's 429 back-off window was open")
          .tags("registry", name, "kind", kind.name().toLowerCase(Locale.ROOT)).register(registry);
    }
    Gauge.builder("docker_cache_upstream_ratelimit_remaining", rateLimitRemaining, AtomicLong::doubleValue)
        .description("The upstream's last ratelimit-remaining header (Docker Hub pulls left; -1: none seen)")
        .tag("registry", name).register(registry);
    Gauge.builder("docker_cache_upstream_backoff_seconds", () -> backoffSeconds.get())
        .description("Seconds left before manifest and blob GETs go to the upstream again after its 429 (0: none held)")
        .tag("registry", name).baseUnit("seconds").register(registry);
  }

  /** The {@code registry} label. */
  public String name() {
    return name;
  }

  /** One upstream request and how long it took to its response headers; status 0 = no answer. */
  public void request(String method, int status, Duration elapsed) {
    String s = status == 0 ? "error" : String.valueOf(status);
    requests.computeIfAbsent(method + " " + s, k -> Counter.builder("docker_cache_upstream_requests")
        .description("Requests sent to the upstream by registry, method and status")
        .tags("registry", name, "method", method, "status", s).register(registry)).increment();
    timers.computeIfAbsent(method, m -> Timer.builder("docker_cache_upstream_request")
        .description("Time from sending an upstream request to its response headers")
        .tags("registry", name, "method", m).serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry)).record(elapsed);
  }

  /** An upstream GET not sent because the upstream's 429 back-off window is open. */
  public void heldBack(Kind kind) {
    heldBack[kind.ordinal()].increment();
  }

  /** Where the back-off gauge reads its seconds left from (it shows 0 before this is called). */
  public void backoff(Supplier<Number> secondsLeft) {
    backoffSeconds = secondsLeft;
  }

  /** Docker Hub's {@code ratelimit-remaining: 76;w=21600}: the number before the first ';'. */
  public void rateLimitHeader(String header) {
    if (header == null) {
      return;
    }
    int end = header.indexOf(';');
    String n = (end < 0 ? header : header.substring(0, end)).strip();
    if (!n.isEmpty() && n.length() < 12 && n.chars().allMatch(Character::isDigit)) {
      rateLimitRemaining.set(Long.parseLong(n));
    }
  }
}
