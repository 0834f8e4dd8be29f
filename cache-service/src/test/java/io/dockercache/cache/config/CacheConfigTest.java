package io.dockercache.cache.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration chain without starting Quarkus: the seed YAML file through
 * {@link SeedFileConfigSourceFactory}, environment variables above it, defaults below, mapped onto
 * {@link CacheConfig} by SmallRye Config as the application does.
 */
class CacheConfigTest {

  @TempDir
  Path dir;

  @Test
  void yamlFile_flatSeedKeysAmongNestedOnes_areRead() throws IOException {
    Path file = Files.writeString(dir.resolve("config.yaml"), SeedFileConfigSourceFactoryTest.SEED_YAML);

    CacheConfig config = load(Map.of("DOCKER_CACHE_CONFIG", file.toString()));

    assertEquals(URI.create("http://x"), config.remoteUrl());
    assertEquals("/mnt/registry", config.fsMountPath());
    assertEquals(StorageBackend.FILESYSTEM, config.storageBackend());
    assertEquals(Duration.ofMinutes(5), config.tagTtl());
  }

  @Test
  void environment_overridesYamlFile() throws IOException {
    Path file = Files.writeString(dir.resolve("config.yaml"), SeedFileConfigSourceFactoryTest.SEED_YAML);

    CacheConfig config = load(Map.of(
        "DOCKER_CACHE_CONFIG", file.toString(),
        "DOCKER_CACHE_REMOTE_URL", "http://from-env:5000",
        "DOCKER_CACHE_TAG_TTL", "0s"));

    assertEquals(URI.create("http://from-env:5000"), config.remoteUrl());
    assertEquals(Duration.ZERO, config.tagTtl());
    assertEquals("/mnt/registry", config.fsMountPath(), "a key only in the file still comes from it");
  }

  @Test
  void noFile_defaults() {
    assertFalse(Files.exists(Path.of(SeedFileConfigSourceFactory.DEFAULT_LOCATION)),
        "this test needs a machine without " + SeedFileConfigSourceFactory.DEFAULT_LOCATION);

    CacheConfig config = load(Map.of());

    assertEquals(StorageBackend.FILESYSTEM, config.storageBackend());
    assertEquals("/var/lib/registry", config.fsMountPath());
    assertEquals(URI.create("https://registry-1.docker.io"), config.remoteUrl());
    assertEquals(Optional.empty(), config.remoteUsername());
    assertEquals(Optional.empty(), config.remotePassword());
    assertEquals(Duration.ofSeconds(60), config.tagTtl());
    assertEquals(Duration.ofSeconds(10), config.upstreamConnectTimeout());
    assertEquals(Duration.ofSeconds(60), config.upstreamIdleTimeout());
    assertEquals(Duration.ofMinutes(30), config.fillTimeout());
  }

  @Test
  void namedFileMissing_failsNamingTheVariable() {
    String missing = dir.resolve("absent.yaml").toString();

    RuntimeException e = assertThrows(RuntimeException.class,
        () -> load(Map.of("DOCKER_CACHE_CONFIG", missing)));

    assertTrue(messages(e).contains("DOCKER_CACHE_CONFIG"), messages(e));
  }

  @Test
  void storageBackendAzure_isRead() {
    CacheConfig config = load(Map.of("DOCKER_CACHE_STORAGE_BACKEND", "azure"));

    assertEquals(StorageBackend.AZURE, config.storageBackend());
  }

  @Test
  void storageBackendUnknown_failsNamingKeyValueAndAllowedValues() throws IOException {
    Path file = Files.writeString(dir.resolve("config.yaml"), "docker_cache_storage_backend: foo\n");

    RuntimeException e = assertThrows(RuntimeException.class,
        () -> load(Map.of("DOCKER_CACHE_CONFIG", file.toString())));

    String message = messages(e);
    assertTrue(message.contains("docker_cache_storage_backend"), message);
    assertTrue(message.contains("foo"), message);
    assertTrue(message.contains("filesystem") && message.contains("azure"), message);
  }

  private static CacheConfig load(Map<String, String> environment) {
    SmallRyeConfig config = new SmallRyeConfigBuilder()
        .withSources(new EnvConfigSource(new HashMap<>(environment), EnvConfigSource.ORDINAL))
        .withSources(new SeedFileConfigSourceFactory())
        // As Quarkus does: its own Duration syntax ("60s"), and no complaint about keys that
        // belong to other programs reading the same file.
        .withConverter(Duration.class, 200, new DurationConverter())
        .withValidateUnknown(false)
        .withMapping(CacheConfig.class)
        .build();
    return config.getConfigMapping(CacheConfig.class);
  }

  /** The messages of a failure and its causes, as a start-up log would show them. */
  private static String messages(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }
}
