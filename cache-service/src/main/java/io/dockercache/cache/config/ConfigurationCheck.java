package io.dockercache.cache.config;

import io.dockercache.cache.memory.ManifestMemory;
import io.dockercache.common.config.DockerCacheConfig;
import io.dockercache.cache.upstream.UpstreamAuthFile;
import io.dockercache.common.config.SeedConfigCheck;
import io.dockercache.common.config.UpstreamRegistries;
import io.quarkus.runtime.Startup;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.ConfigValidationException.Problem;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Stops the program at start, before anything else is built, when a value is unusable: one line
 * per problem, naming the key, the value (never a secret) and what is allowed.
 */
@Startup(1)
@ApplicationScoped
public class ConfigurationCheck {

  private static final Logger LOG = Logger.getLogger(ConfigurationCheck.class);

  @Inject
  public ConfigurationCheck(DockerCacheConfig seed, CacheConfig cache) {
    List<String> problems = new ArrayList<>(SeedConfigCheck.problems(seed));
    try {
      UpstreamRegistries.from(ConfigProvider.getConfig());
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    }
    cache.upstreamAuthFile().ifPresent(file -> {
      try {
        UpstreamAuthFile.load(Path.of(file));
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    });
    nonNegative("docker_cache_tag_ttl", cache.tagTtl(), problems);
    positive("docker_cache_upstream_connect_timeout", cache.upstreamConnectTimeout(), problems);
    if (cache.upstreamMaxConnections() < 1) {
      problems.add("docker_cache_upstream_max_connections: " + cache.upstreamMaxConnections()
          + " is not positive; allowed: 1 or more, e.g. 64");
    }
    positive("docker_cache_upstream_idle_timeout", cache.upstreamIdleTimeout(), problems);
    cache.fillMaxDurationSetting().ifPresent(d -> positive("docker_cache_fill_max_duration", d, problems));
    cache.legacyFillTimeout().ifPresent(d -> {
      positive("docker_cache_fill_timeout", d, problems);
      LOG.warnf("docker_cache_fill_timeout is deprecated: it is read as docker_cache_fill_max_duration%s;"
          + " stalled downloads end after docker_cache_upstream_idle_timeout",
          cache.fillMaxDurationSetting().isPresent() ? " only when that is unset (it is set, so it is ignored)" : "");
    });
    nonNegative("docker_cache_max_idle", cache.maxIdle(), problems);
    positive("docker_cache_eviction_interval", cache.evictionInterval(), problems);
    nonNegative("docker_cache_eviction_grace", cache.evictionGrace(), problems);
    long memory = cache.memoryCacheSize().bytes();
    long heap = Runtime.getRuntime().maxMemory();
    if (ManifestMemory.budget(memory, heap) < memory) {
      LOG.warnf("docker_cache_memory_cache_size: %s is more than a quarter of the heap (%d MiB);"
          + " %d MiB are used", cache.memoryCacheSize(), heap >> 20, ManifestMemory.budget(memory, heap) >> 20);
    }
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
