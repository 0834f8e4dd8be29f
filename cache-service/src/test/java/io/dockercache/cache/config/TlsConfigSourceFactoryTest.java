package io.dockercache.cache.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsConfigSourceFactoryTest {

  @TempDir
  Path dir;

  @Test
  void neitherKey_noTlsSettings() throws IOException {
    SmallRyeConfig config = load(Map.of());

    assertEquals(Optional.empty(), config.getOptionalValue("quarkus.http.ssl-port", String.class));
    assertEquals(Optional.empty(), config.getOptionalValue("quarkus.http.insecure-requests", String.class));
  }

  @Test
  void bothKeysInEnvironment_httpsOnTheRegistryPortOnly() throws IOException {
    SmallRyeConfig config = load(Map.of(
        "DOCKER_CACHE_TLS_CERT_FILE", "/etc/tls/cert.pem",
        "DOCKER_CACHE_TLS_KEY_FILE", "/etc/tls/key.pem",
        "QUARKUS_HTTP_PORT", "5443"));

    assertEquals("/etc/tls/cert.pem", config.getValue("quarkus.http.ssl.certificate.files", String.class));
    assertEquals("/etc/tls/key.pem", config.getValue("quarkus.http.ssl.certificate.key-files", String.class));
    assertEquals("5443", config.getValue("quarkus.http.ssl-port", String.class));
    assertEquals("disabled", config.getValue("quarkus.http.insecure-requests", String.class));
  }

  @Test
  void bothKeysInSeedFile_areSeenToo_defaultPort5000() throws IOException {
    Path file = Files.writeString(dir.resolve("config.yaml"),
        "docker_cache_tls_cert_file: /c.pem\ndocker_cache_tls_key_file: /k.pem\n");

    SmallRyeConfig config = load(Map.of("DOCKER_CACHE_CONFIG", file.toString()));

    assertEquals("/c.pem", config.getValue("quarkus.http.ssl.certificate.files", String.class));
    assertEquals("5000", config.getValue("quarkus.http.ssl-port", String.class));
  }

  @Test
  void environmentStillOverridesTheDerivedSettings() throws IOException {
    SmallRyeConfig config = load(Map.of(
        "DOCKER_CACHE_TLS_CERT_FILE", "/c.pem", "DOCKER_CACHE_TLS_KEY_FILE", "/k.pem",
        "QUARKUS_HTTP_INSECURE_REQUESTS", "redirect"));

    assertEquals("redirect", config.getValue("quarkus.http.insecure-requests", String.class));
  }

  @Test
  void onlyOneKey_failsNamingBoth() {
    RuntimeException e = assertThrows(RuntimeException.class,
        () -> load(Map.of("DOCKER_CACHE_TLS_CERT_FILE", "/c.pem")));

    String all = String.valueOf(e.getMessage()) + e.getCause();
    assertTrue(all.contains("docker_cache_tls_cert_file") && all.contains("docker_cache_tls_key_file"), all);
  }

  private SmallRyeConfig load(Map<String, String> environment) throws IOException {
    Map<String, String> env = new HashMap<>(environment);
    env.putIfAbsent("DOCKER_CACHE_CONFIG", Files.writeString(dir.resolve("empty.yaml"), "").toString());
    return new SmallRyeConfigBuilder()
        .withSources(new EnvConfigSource(env, EnvConfigSource.ORDINAL))
        .withSources(new TlsConfigSourceFactory())
        .build();
  }
}
