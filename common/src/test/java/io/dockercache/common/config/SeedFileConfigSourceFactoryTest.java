package io.dockercache.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SeedFileConfigSourceFactoryTest {

  /** Shaped like an OpenPAI layout config.yaml: our flat keys among unrelated nested ones. */
  static final String SEED_YAML = """
      user: pai
      docker_image_tag: v1.8.0
      enable_docker_cache: true
      docker_cache_storage_backend: filesystem
      docker_cache_fs_mount_path: /mnt/registry
      docker_cache_remote_url: http://x
      docker_cache_tag_ttl: 5m
      cluster:
        common:
          cluster-id: pai
          cluster-type: k8s
        docker-registry:
          namespace: openpai
          domain: docker.io
      openpai_kubespray_extra_var:
        download_container: false
        skip_downloads: true
      machine-list:
        - hostname: master-01
          hostip: 10.0.0.1
          pai-master: "true"
        - hostname: worker-01
          hostip: 10.0.0.2
      """;

  @TempDir
  Path dir;

  private final SeedFileConfigSourceFactory factory = new SeedFileConfigSourceFactory();

  @Test
  void getConfigSources_namedFile_readsFlatSeedKeys() throws IOException {
    Path file = write("config.yaml", SEED_YAML);

    ConfigSource source = only(factory.getConfigSources(context(Map.of("DOCKER_CACHE_CONFIG", file.toString()))));

    assertEquals("http://x", source.getValue("docker_cache_remote_url"));
    assertEquals("filesystem", source.getValue("docker_cache_storage_backend"));
    assertEquals("/mnt/registry", source.getValue("docker_cache_fs_mount_path"));
    assertEquals("true", source.getValue("enable_docker_cache"));
  }

  @Test
  void getConfigSources_namedFile_sitsBelowEnvironmentAndSystemProperties() throws IOException {
    Path file = write("config.yaml", SEED_YAML);

    ConfigSource source = only(factory.getConfigSources(context(Map.of("DOCKER_CACHE_CONFIG", file.toString()))));

    // MicroProfile Config: environment variables are 300, system properties 400.
    assertTrue(source.getOrdinal() < 300, "ordinal " + source.getOrdinal());
    assertTrue(source.getOrdinal() > 100, "ordinal " + source.getOrdinal());
    assertEquals(OptionalInt.of(source.getOrdinal()), factory.getPriority());
  }

  @Test
  void getConfigSources_unset_readsDefaultLocationOrNothing() {
    assertFalse(Files.exists(Path.of(SeedFileConfigSourceFactory.DEFAULT_LOCATION)),
        "this test needs a machine without " + SeedFileConfigSourceFactory.DEFAULT_LOCATION);

    assertEquals(List.of(), list(factory.getConfigSources(context(Map.of()))));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  "})
  void getConfigSources_blank_isTreatedAsUnset(String blank) {
    assertFalse(Files.exists(Path.of(SeedFileConfigSourceFactory.DEFAULT_LOCATION)),
        "this test needs a machine without " + SeedFileConfigSourceFactory.DEFAULT_LOCATION);

    assertEquals(List.of(), list(factory.getConfigSources(context(Map.of("DOCKER_CACHE_CONFIG", blank)))));
  }

  @Test
  void getConfigSources_namedFileMissing_throwsNamingVariableAndPath() {
    String missing = dir.resolve("nope.yaml").toString();

    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> factory.getConfigSources(context(Map.of("DOCKER_CACHE_CONFIG", missing))));

    assertTrue(e.getMessage().contains("DOCKER_CACHE_CONFIG"), e.getMessage());
    assertTrue(e.getMessage().contains(missing), e.getMessage());
  }

  @Test
  void getConfigSources_invalidYaml_throwsNamingVariable() throws IOException {
    Path file = write("broken.yaml", "docker_cache_remote_url: [http://x\n  nope: {\n");

    RuntimeException e = assertThrows(RuntimeException.class,
        () -> list(factory.getConfigSources(context(Map.of("DOCKER_CACHE_CONFIG", file.toString())))));

    assertTrue(e.getMessage().contains("DOCKER_CACHE_CONFIG"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "\n", "# only a comment\n", "---\n"})
  void getConfigSources_emptyFile_runsOnDefaults(String content) throws IOException {
    // An admin's config.yaml may hold nothing for the cache; that is no reason to refuse to start.
    Path file = write("config.yaml", content);

    List<ConfigSource> sources = list(factory.getConfigSources(context(Map.of("DOCKER_CACHE_CONFIG", file.toString()))));

    for (ConfigSource source : sources) {
      assertNull(source.getValue("docker_cache_remote_url"));
    }
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  private static ConfigSource only(Iterable<ConfigSource> sources) {
    List<ConfigSource> all = list(sources);
    assertEquals(1, all.size(), "sources: " + all);
    return all.get(0);
  }

  private static List<ConfigSource> list(Iterable<ConfigSource> sources) {
    List<ConfigSource> all = new ArrayList<>();
    sources.forEach(all::add);
    return all;
  }

  /** A fake context holding only the given values, as the sources below the factory would. */
  private static ConfigSourceContext context(Map<String, String> values) {
    return new ConfigSourceContext() {
      @Override
      public ConfigValue getValue(String name) {
        String v = values.get(name);
        return v == null ? null : ConfigValue.builder().withName(name).withValue(v).build();
      }

      @Override
      public Iterator<String> iterateNames() {
        return values.keySet().iterator();
      }
    };
  }
}
