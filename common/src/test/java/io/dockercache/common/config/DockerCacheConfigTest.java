package io.dockercache.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The seed's keys through the whole chain both programs use: the seed YAML file, environment
 * variables above it, defaults below, mapped by SmallRye Config, then {@link SeedConfigCheck}.
 */
class DockerCacheConfigTest {

  /** Every key of the seed, as an OpenPAI admin's config.yaml has them. */
  static final String EVERY_SEED_KEY = """
      user: pai
      enable_docker_cache: true
      docker_cache_storage_backend: azure
      docker_cache_azure_account_name: paistorage
      docker_cache_azure_account_key: c2VjcmV0LWtleS1ieXRlcw==
      docker_cache_azure_container_name: dockerregistry
      docker_cache_fs_mount_path: /var/lib/registry
      docker_cache_remote_url: https://registry-1.docker.io
      docker_cache_htpasswd: dXNlcjokMnkkMDUkYWJj
      docker_cache_host: 10.0.0.1:30500
      cluster:
        common:
          cluster-id: pai
      """;

  @TempDir
  Path dir;

  @Test
  void everySeedKey_isRead() throws IOException {
    DockerCacheConfig config = load(file(EVERY_SEED_KEY), Map.of());

    assertTrue(config.enabled());
    assertEquals(StorageBackend.AZURE, config.storageBackend());
    assertEquals(Optional.of("paistorage"), config.azureAccountName());
    assertEquals(Optional.of("c2VjcmV0LWtleS1ieXRlcw=="), config.azureAccountKey());
    assertEquals("dockerregistry", config.azureContainerName());
    assertEquals("/var/lib/registry", config.fsMountPath());
    assertEquals("https://registry-1.docker.io", config.remoteUrl());
    assertEquals(Optional.of("dXNlcjokMnkkMDUkYWJj"), config.htpasswd());
    assertEquals(Optional.of("10.0.0.1:30500"), config.host());
    assertEquals(List.of(), SeedConfigCheck.problems(config));
  }

  @Test
  void environment_overridesTheFile() throws IOException {
    DockerCacheConfig config = load(file(EVERY_SEED_KEY),
        Map.of("DOCKER_CACHE_REMOTE_URL", "http://mirror.local:5000", "ENABLE_DOCKER_CACHE", "false"));

    assertEquals("http://mirror.local:5000", config.remoteUrl());
    assertFalse(config.enabled());
    assertEquals(Optional.of("paistorage"), config.azureAccountName(), "the rest still comes from the file");
  }

  @Test
  void nothingSet_defaults() {
    DockerCacheConfig config = load(null, Map.of());

    assertFalse(config.enabled());
    assertEquals(StorageBackend.FILESYSTEM, config.storageBackend());
    assertEquals("dockerregistry", config.azureContainerName());
    assertEquals("/var/lib/registry", config.fsMountPath());
    assertEquals("https://registry-1.docker.io", config.remoteUrl());
    assertEquals(Optional.empty(), config.htpasswd());
    assertEquals(Optional.empty(), config.host());
    assertEquals(List.of(), SeedConfigCheck.problems(config));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', value = {
      "enable_docker_cache          | maybe  | true, false",
      "enable_docker_cache          | enabled | true, false",
      "docker_cache_storage_backend | s3     | filesystem",
  })
  void badTypedValue_failsNamingKeyValueAndAllowed(String key, String value, String allowed)
      throws IOException {
    RuntimeException e = assertThrows(RuntimeException.class,
        () -> load(file(key + ": " + value + "\n"), Map.of()));

    String message = messages(e);
    assertTrue(message.contains(key), message);
    assertTrue(message.contains(value), message);
    assertTrue(message.contains(allowed), message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "docker_cache_remote_url: ftp://x                        | docker_cache_remote_url",
      "docker_cache_remote_url: registry-1.docker.io           | docker_cache_remote_url",
      "docker_cache_remote_url: 'http://u:p@x'                 | docker_cache_remote_url",
      "docker_cache_fs_mount_path: '  '                        | docker_cache_fs_mount_path",
      "docker_cache_htpasswd: '%%% not base64'                 | docker_cache_htpasswd",
  })
  void badValue_isOneProblemNamingTheKey(String yaml, String key) throws IOException {
    List<String> problems = SeedConfigCheck.problems(load(file(yaml + "\n"), Map.of()));

    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith(key + ": "), problems.get(0));
    assertFalse(problems.get(0).contains("\n"), "one line");
  }

  @Test
  void emptyValue_failsNamingTheKey() throws IOException {
    RuntimeException e = assertThrows(RuntimeException.class,
        () -> load(file("docker_cache_fs_mount_path: ''\n"), Map.of()));

    assertTrue(messages(e).contains("docker_cache_fs_mount_path"), messages(e));
  }

  @Test
  void azureWithoutAccount_namesBothMissingKeys() throws IOException {
    List<String> problems = SeedConfigCheck.problems(
        load(file("docker_cache_storage_backend: azure\n"), Map.of()));

    assertEquals(2, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("docker_cache_azure_account_name: "), problems.toString());
    assertTrue(problems.get(1).startsWith("docker_cache_azure_account_key: "), problems.toString());
  }

  @Test
  void secrets_neverAppearInProblems() throws IOException {
    String badKey = "not!base64!SECRETVALUE";
    String badHtpasswd = "also!not!base64!SECRETHTPASSWD";
    List<String> problems = SeedConfigCheck.problems(load(file(
        "docker_cache_storage_backend: azure\n"
            + "docker_cache_azure_account_name: acct\n"
            + "docker_cache_azure_account_key: '" + badKey + "'\n"
            + "docker_cache_htpasswd: '" + badHtpasswd + "'\n"), Map.of()));

    assertEquals(2, problems.size(), problems.toString());
    assertFalse(problems.toString().contains("SECRETVALUE"), problems.toString());
    assertFalse(problems.toString().contains("SECRETHTPASSWD"), problems.toString());
  }

  @Test
  void badContainerName_isAProblem() throws IOException {
    List<String> problems = SeedConfigCheck.problems(load(file(EVERY_SEED_KEY
        .replace("docker_cache_azure_container_name: dockerregistry",
            "docker_cache_azure_container_name: Docker_Registry")), Map.of()));

    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).contains("Docker_Registry"), problems.get(0));
  }

  private Path file(String yaml) throws IOException {
    return Files.writeString(dir.resolve("config.yaml"), yaml);
  }

  static DockerCacheConfig load(Path file, Map<String, String> environment) {
    Map<String, String> env = new HashMap<>(environment);
    // Never the machine's /etc file: a named file, or one that is certainly empty.
    env.put("DOCKER_CACHE_CONFIG", file != null ? file.toString() : emptyFile().toString());
    SmallRyeConfig config = new SmallRyeConfigBuilder()
        .withSources(new EnvConfigSource(env, EnvConfigSource.ORDINAL))
        .withSources(new SeedFileConfigSourceFactory())
        .withValidateUnknown(false)
        .withMapping(DockerCacheConfig.class)
        .build();
    return config.getConfigMapping(DockerCacheConfig.class);
  }

  private static Path emptyFile() {
    try {
      Path p = Files.createTempFile("empty-config", ".yaml");
      p.toFile().deleteOnExit();
      return p;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String messages(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }
}
