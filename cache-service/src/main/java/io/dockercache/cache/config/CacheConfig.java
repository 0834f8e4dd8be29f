package io.dockercache.cache.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The cache-service's own keys, beside the seed's shared ones in {@link
 * io.dockercache.common.config.DockerCacheConfig}. Same sources and naming: flat
 * {@code docker_cache_*} keys from system properties, environment and the seed-format YAML file.
 */
@ConfigMapping(prefix = "")
public interface CacheConfig {

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

  /** An htpasswd file to read (re-read when it changes), instead of the seed's base64 value. */
  @WithName("docker_cache_htpasswd_file")
  Optional<String> htpasswdFile();

  /** Client networks (CIDR list) that pull without credentials while auth is on. */
  @WithName("docker_cache_anonymous_cidrs")
  Optional<List<String>> anonymousCidrs();

  /** How long a successful password check is remembered, so bcrypt is not paid per request. */
  @WithName("docker_cache_auth_cache_ttl")
  @WithDefault("60s")
  Duration authCacheTtl();

  /** PEM certificate (chain) for HTTPS on the registry port; with {@link #tlsKeyFile()}. */
  @WithName("docker_cache_tls_cert_file")
  Optional<String> tlsCertFile();

  /** PEM private key of {@link #tlsCertFile()}. */
  @WithName("docker_cache_tls_key_file")
  Optional<String> tlsKeyFile();
}
