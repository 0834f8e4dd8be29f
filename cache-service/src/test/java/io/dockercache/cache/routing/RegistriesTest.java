package io.dockercache.cache.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dockercache.cache.config.TestCacheConfig;
import io.dockercache.cache.metrics.CacheMetrics;
import io.dockercache.cache.upstream.UpstreamAuthFile;
import io.dockercache.common.ErrorCode;
import io.dockercache.common.RegistryException;
import io.dockercache.common.RepositoryName;
import io.dockercache.common.config.UpstreamRegistries;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.net.URI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The closed world of DESIGN.md §3b: which upstream a request names, and its stored name. */
class RegistriesTest {

  private final Vertx vertx = Vertx.vertx();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @AfterEach
  void close() {
    vertx.close();
  }

  private Registries registries(String defaultUrl) {
    return new Registries(vertx, URI.create(defaultUrl),
        UpstreamRegistries.parse("ghcr.io=http://127.0.0.1:5002,registry.k8s.io=https://registry.k8s.io"),
        UpstreamAuthFile.none(), TestCacheConfig.defaults(), new CacheMetrics(meters));
  }

  @ParameterizedTest(name = "ns={0} {1} -> {2} at {3}")
  @CsvSource(nullValues = "-", value = {
      "-,               nginx,                 library/nginx,          docker.io",
      "-,               bitnami/redis,         bitnami/redis,          docker.io",
      "docker.io,       nginx,                 library/nginx,          docker.io",
      "index.docker.io, bitnami/redis,         bitnami/redis,          docker.io",
      "registry-1.docker.io, nginx,            library/nginx,          docker.io",
      "ghcr.io,         owner/app,             ghcr.io/owner/app,      ghcr.io",
      "GHCR.IO,         app,                   ghcr.io/app,            ghcr.io",
      "-,               ghcr.io/owner/app,     ghcr.io/owner/app,      ghcr.io",
      "-,               registry.k8s.io/pause, registry.k8s.io/pause,  registry.k8s.io",
      "registry.k8s.io, pause,                 registry.k8s.io/pause,  registry.k8s.io",
      "-,               docker.io/nginx,       library/nginx,          docker.io",
      "-,               docker.io/bitnami/redis, bitnami/redis,        docker.io",
      "-,               quay.io/owner/app,     quay.io/owner/app,      docker.io",
  })
  void route_picksTheRegistryAndStoredName(String ns, String requested, String stored, String upstream) {
    Registries r = registries("https://registry-1.docker.io");

    RepositoryName name = r.route(ns, RepositoryName.parse(requested));

    assertEquals(stored, name.toString());
    assertEquals(upstream, r.of(name).name());
  }

  @Test
  void route_unconfiguredRegistry_isNameUnknownNamingIt() {
    RegistryException e = assertThrows(RegistryException.class,
        () -> registries("https://registry-1.docker.io").route("quay.io", RepositoryName.parse("owner/app")));

    assertEquals(ErrorCode.NAME_UNKNOWN, e.code());
    assertTrue(e.getMessage().contains("\"quay.io\""), e.getMessage());
  }

  @Test
  void route_hostileNs_isQuotedCleanAndShort() {
    RegistryException e = assertThrows(RegistryException.class,
        () -> registries("https://registry-1.docker.io").route("evil\r\nx" + "a".repeat(500),
            RepositoryName.parse("app")));

    assertTrue(!e.getMessage().contains("\r") && e.getMessage().length() < 300, e.getMessage());
  }

  @Test
  void route_defaultNameStartingWithAConfiguredHost_isRefused() {
    // Stored as ghcr.io/x it would be read back as ghcr.io's repository x.
    RegistryException e = assertThrows(RegistryException.class,
        () -> registries("https://registry-1.docker.io").route("docker.io", RepositoryName.parse("ghcr.io/x")));

    assertEquals(ErrorCode.NAME_INVALID, e.code());
  }

  @Test
  void route_prefixedNameTooLong_isNameInvalid() {
    RegistryException e = assertThrows(RegistryException.class,
        () -> registries("https://registry-1.docker.io").route("ghcr.io", RepositoryName.parse("a".repeat(250))));

    assertEquals(ErrorCode.NAME_INVALID, e.code());
  }

  @Test
  void route_longOneComponentNameOnDockerHub_isNameInvalid() {
    // A valid 250-character name is too long once "library/" is prepended: 400, not 500.
    RegistryException e = assertThrows(RegistryException.class,
        () -> registries("https://registry-1.docker.io").route(null, RepositoryName.parse("a".repeat(250))));

    assertEquals(ErrorCode.NAME_INVALID, e.code());
  }

  @Test
  void route_customDefault_keepsOneComponentNames_andAnswersToItsOwnAuthority() {
    Registries r = registries("http://127.0.0.1:5001");

    assertEquals("alpine", r.route(null, RepositoryName.parse("alpine")).toString());
    assertEquals("alpine", r.route("127.0.0.1:5001", RepositoryName.parse("alpine")).toString());
    assertEquals("127.0.0.1", r.of(RepositoryName.parse("alpine")).name());
  }

  @Test
  void of_labelsEveryUpstreamsMetersByItsConfiguredName() {
    registries("https://registry-1.docker.io");

    for (String registry : new String[] {"docker.io", "ghcr.io", "registry.k8s.io"}) {
      assertEquals(0.0, meters.get("docker_cache_upstream_backoff_seconds").tags("registry", registry)
          .gauge().value());
    }
  }
}
