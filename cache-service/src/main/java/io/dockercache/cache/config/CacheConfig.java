package io.dockercache.cache.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The cache's configuration. Keys keep OpenPAI's flat names ({@code docker_cache_*}) so an admin's
 * existing {@code config.yaml} works unchanged; environment variables ({@code DOCKER_CACHE_*}) and
 * system properties override the file (see {@link SeedFileConfigSourceFactory}).
 */
@ConfigMapping(prefix = "")
public interface CacheConfig {

  /** Where blobs and manifests are kept: {@code filesystem} or {@code azure}. */
  @WithName("docker_cache_storage_backend")
  @WithDefault("filesystem")
  StorageBackend storageBackend();

  /** Filesystem storage root, in the distribution registry's layout. */
  @WithName("docker_cache_fs_mount_path")
  @WithDefault("/var/lib/registry")
  String fsMountPath();

  /** The upstream registry this cache pulls through. */
  @WithName("docker_cache_remote_url")
  @WithDefault("https://registry-1.docker.io")
  URI remoteUrl();

  /** Optional upstream account; Docker Hub gives authenticated pulls a higher rate limit. */
  @WithName("docker_cache_remote_username")
  Optional<String> remoteUsername();

  /** Password or access token of {@link #remoteUsername()}. */
  @WithName("docker_cache_remote_password")
  Optional<String> remotePassword();

  /** How long a tag's digest is trusted before an upstream HEAD revalidates it; 0 = every request. */
  @WithName("docker_cache_tag_ttl")
  @WithDefault("60s")
  Duration tagTtl();

  /** Upstream TCP connect timeout. */
  @WithName("docker_cache_upstream_connect_timeout")
  @WithDefault("10s")
  Duration upstreamConnectTimeout();

  /** An upstream response that sends nothing for this long is abandoned. */
  @WithName("docker_cache_upstream_idle_timeout")
  @WithDefault("60s")
  Duration upstreamIdleTimeout();

  /** Upper bound on one blob download that continues after its clients went away. */
  @WithName("docker_cache_fill_timeout")
  @WithDefault("30m")
  Duration fillTimeout();
}
