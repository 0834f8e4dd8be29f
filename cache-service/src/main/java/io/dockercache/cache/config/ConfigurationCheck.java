package io.dockercache.cache.config;

import io.dockercache.common.config.DockerCacheConfig;
import io.dockercache.common.config.SeedConfigCheck;
import io.quarkus.runtime.Startup;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.ConfigValidationException.Problem;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Stops the program at start, before anything else is built, when a value is unusable: one line
 * per problem, naming the key, the value (never a secret) and what is allowed.
 */
@Startup(1)
@ApplicationScoped
public class ConfigurationCheck {

  @Inject
  public ConfigurationCheck(DockerCacheConfig seed, CacheConfig cache) {
    List<String> problems = new ArrayList<>(SeedConfigCheck.problems(seed));
    nonNegative("docker_cache_tag_ttl", cache.tagTtl(), problems);
    positive("docker_cache_upstream_connect_timeout", cache.upstreamConnectTimeout(), problems);
    if (cache.upstreamMaxConnections() < 1) {
      problems.add("docker_cache_upstream_max_connections: " + cache.upstreamMaxConnections()
          + " is not positive; allowed: 1 or more, e.g. 64");
    }
    positive("docker_cache_upstream_idle_timeout", cache.upstreamIdleTimeout(), problems);
    positive("docker_cache_fill_timeout", cache.fillTimeout(), problems);
    nonNegative("docker_cache_max_idle", cache.maxIdle(), problems);
    positive("docker_cache_eviction_interval", cache.evictionInterval(), problems);
    nonNegative("docker_cache_eviction_grace", cache.evictionGrace(), problems);
    if (!problems.isEmpty()) {
      throw new ConfigValidationException(problems.stream().map(Problem::new).toArray(Problem[]::new));
    }
  }

  private static void nonNegative(String key, Duration value, List<String> problems) {
    if (value.isNegative()) {
      problems.add(key + ": " + value + " is negative; allowed: 0 or more, e.g. 60s");
    }
  }

  private static void positive(String key, Duration value, List<String> problems) {
    if (value.isNegative() || value.isZero()) {
      problems.add(key + ": " + value + " is not positive; allowed: more than 0, e.g. 10s");
    }
  }
}
