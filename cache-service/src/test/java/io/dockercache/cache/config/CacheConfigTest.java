package io.dockercache.cache.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dockercache.common.config.SeedFileConfigSourceFactory;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache's own keys through the same chain as the seed's: the seed-format YAML file,
 * environment variables above it, defaults below, mapped by SmallRye Config as Quarkus does.
 */
class CacheConfigTest {

  @TempDir
  Path dir;

  @Test
  void yamlFile_cacheKeysAmongSeedKeys_areRead() throws IOException {
    CacheConfig config = load(file("""
        enable_docker_cache: true
        docker_cache_remote_url: http://x
        docker_cache_tag_ttl: 5m
        docker_cache_remote_username: puller
        """), Map.of());

    assertEquals(Duration.ofMinutes(5), config.tagTtl());
    assertEquals(Optional.of("puller"), config.remoteUsername());
  }

  @Test
  void environment_overridesYamlFile() throws IOException {
    CacheConfig config = load(file("docker_cache_tag_ttl: 5m\ndocker_cache_fill_timeout: 10m\n"),
        Map.of("DOCKER_CACHE_TAG_TTL", "0"));

    assertEquals(Duration.ZERO, config.tagTtl());
    assertEquals(Duration.ofMinutes(10), config.fillMaxDuration(),
        "a key only in the file still comes from it (the legacy fill timeout is read as the hard cap)");
  }

  @Test
  void fillMaxDuration_winsOverTheLegacyFillTimeout() throws IOException {
    CacheConfig config = load(file("docker_cache_fill_timeout: 10m\ndocker_cache_fill_max_duration: 2h\n"), Map.of());

    assertEquals(Duration.ofHours(2), config.fillMaxDuration());
  }

  @Test
  void nothingSet_defaults() throws IOException {
    CacheConfig config = load(file(""), Map.of());

    assertEquals(Optional.empty(), config.remoteUsername());
    assertEquals(Optional.empty(), config.remotePassword());
    assertEquals(Duration.ofSeconds(60), config.tagTtl());
    assertEquals(Duration.ofSeconds(10), config.upstreamConnectTimeout());
    assertEquals(Duration.ofSeconds(60), config.upstreamIdleTimeout());
    assertEquals(Duration.ofHours(24), config.fillMaxDuration());
    assertEquals(0, config.maxSize().bytes());
    assertEquals(200, config.minFreeSpace().of(1000));
    assertEquals(Duration.ofHours(168), config.maxIdle());
    assertEquals(Duration.ofMinutes(10), config.evictionInterval());
    assertEquals(Duration.ofMinutes(10), config.evictionGrace());
    assertEquals(20L << 20, config.scrubRate().bytes());
    assertEquals(64L << 20, config.memoryCacheSize().bytes());
  }

  @Test
  void memoryCacheSize_asAdminsWriteIt_andZeroTurnsItOff() throws IOException {
    assertEquals(256L << 20, load(file("docker_cache_memory_cache_size: 256MiB\n"), Map.of())
        .memoryCacheSize().bytes());
    assertTrue(load(file(""), Map.of("DOCKER_CACHE_MEMORY_CACHE_SIZE", "0")).memoryCacheSize().isZero());
  }

  @Test
  void badMemoryCacheSize_failsNamingTheKey() throws IOException {
    RuntimeException e = assertThrows(RuntimeException.class,
        () -> load(file("docker_cache_memory_cache_size: -1\n"), Map.of()));

    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    assertTrue(all.toString().contains("docker_cache_memory_cache_size"), all.toString());
  }

  @Test
  void lifecycleKeys_sizesAndDurationsAsAdminsWriteThem() throws IOException {
    CacheConfig config = load(file("""
        docker_cache_max_size: 200GiB
        docker_cache_min_free_space: 50GiB
        docker_cache_max_idle: 72h
        docker_cache_scrub_rate: 50MB/s
        """), Map.of("DOCKER_CACHE_EVICTION_GRACE", "0"));

    assertEquals(200L << 30, config.maxSize().bytes());
    assertEquals(50L << 30, config.minFreeSpace().of(1L << 40));
    assertEquals(Duration.ofHours(72), config.maxIdle());
    assertEquals(Duration.ZERO, config.evictionGrace());
    assertEquals(50_000_000L, config.scrubRate().bytes());
  }

  @Test
  void badSize_failsNamingTheKeyAndWhatIsAllowed() throws IOException {
    RuntimeException e = assertThrows(RuntimeException.class,
        () -> load(file("docker_cache_max_size: huge\n"), Map.of()));

    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    assertTrue(all.toString().contains("docker_cache_max_size"), all.toString());
    assertTrue(all.toString().contains("200GiB"), all.toString());
  }

  @Test
  void badDuration_failsNamingTheKey() throws IOException {
    RuntimeException e = assertThrows(RuntimeException.class,
        () -> load(file("docker_cache_tag_ttl: soon\n"), Map.of()));

    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    assertTrue(all.toString().contains("docker_cache_tag_ttl"), all.toString());
  }

  private Path file(String yaml) throws IOException {
    return Files.writeString(dir.resolve("config.yaml"), yaml);
  }

  private static CacheConfig load(Path file, Map<String, String> environment) {
    Map<String, String> env = new HashMap<>(environment);
    env.put("DOCKER_CACHE_CONFIG", file.toString());
    SmallRyeConfig config = new SmallRyeConfigBuilder()
        .withSources(new EnvConfigSource(env, EnvConfigSource.ORDINAL))
        .withSources(new SeedFileConfigSourceFactory())
        // As Quarkus does: its own Duration syntax ("60s"), and no complaint about keys that
        // belong to other programs reading the same file.
        .withConverter(Duration.class, 200, new DurationConverter())
        .withValidateUnknown(false)
        .withMapping(CacheConfig.class)
        .build();
    return config.getConfigMapping(CacheConfig.class);
  }
}
