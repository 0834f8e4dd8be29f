package io.dockercache.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.source.yaml.YamlConfigSource;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UpstreamRegistriesTest {

  @TempDir
  Path dir;

  @Test
  void parse_pairs_inOrder() {
    UpstreamRegistries r = UpstreamRegistries.parse(" ghcr.io=https://ghcr.io , nvcr.io=http://127.0.0.1:5001/");

    assertEquals(List.of("ghcr.io", "nvcr.io"), List.copyOf(r.hosts().keySet()));
    assertEquals(URI.create("https://ghcr.io"), r.url("ghcr.io").orElseThrow());
    assertEquals(URI.create("http://127.0.0.1:5001"), r.url("nvcr.io").orElseThrow());
  }

  @Test
  void parse_blank_isNone() {
    assertTrue(UpstreamRegistries.parse(" ").isEmpty());
    assertTrue(UpstreamRegistries.parse(",").isEmpty());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "ghcr.io", "=https://ghcr.io", "GHCR.io=https://ghcr.io", "ghcr.io:443=https://ghcr.io",
      "docker.io=https://registry-1.docker.io", "ghcr.io=ftp://ghcr.io", "ghcr.io=https://",
      "ghcr.io=https://u:p@ghcr.io", "ghcr.io=https://ghcr.io/v2", "ghcr.io=https://ghcr.io?x=1",
      "ghcr.io=https://ghcr.io,ghcr.io=https://other"})
  void parse_invalid_namesKeyAndValue(String value) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> UpstreamRegistries.parse(value));

    assertTrue(e.getMessage().startsWith(UpstreamRegistries.KEY + ": \""), e.getMessage());
  }

  @Test
  void parse_everyProblemNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> UpstreamRegistries.parse("Bad=https://x,quay.io=nope"));

    assertTrue(e.getMessage().contains("\"Bad\""), e.getMessage());
    assertTrue(e.getMessage().contains("\"nope\""), e.getMessage());
  }

  @Test
  void from_yamlMap_readsEntries() throws IOException {
    SmallRyeConfig config = yaml("""
        enable_docker_cache: true
        docker_cache_registries:
          ghcr.io: https://ghcr.io
          registry.k8s.io: "https://registry.k8s.io"
        cluster:
          common:
            cluster-id: pai
        """);

    UpstreamRegistries r = UpstreamRegistries.from(config);

    assertEquals(Map.of("ghcr.io", URI.create("https://ghcr.io"),
        "registry.k8s.io", URI.create("https://registry.k8s.io")), r.hosts());
  }

  @Test
  void from_singleValue_winsOverTheYamlMap() throws IOException {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, "docker_cache_registries:\n  ghcr.io: https://ghcr.io\n");
    SmallRyeConfig config = new SmallRyeConfigBuilder()
        .withSources(new YamlConfigSource(file.toUri().toURL(), 250))
        .withSources(new PropertiesConfigSource(
            Map.of(UpstreamRegistries.KEY, "quay.io=https://quay.io"), "env", 300))
        .build();

    assertEquals(Map.of("quay.io", URI.create("https://quay.io")), UpstreamRegistries.from(config).hosts());
  }

  @Test
  void from_absent_isNone() throws IOException {
    assertTrue(UpstreamRegistries.from(yaml("enable_docker_cache: true\n")).isEmpty());
  }

  @Test
  void from_yamlMapWithBadUrl_namesIt() throws IOException {
    SmallRyeConfig config = yaml("docker_cache_registries:\n  ghcr.io: ghcr.io\n");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> UpstreamRegistries.from(config));
    assertTrue(e.getMessage().contains("\"ghcr.io\""), e.getMessage());
  }

  private SmallRyeConfig yaml(String text) throws IOException {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, text);
    return new SmallRyeConfigBuilder().withSources(new YamlConfigSource(file.toUri().toURL(), 250)).build();
  }
}
