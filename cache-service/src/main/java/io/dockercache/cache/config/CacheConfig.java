package io.dockercache.cache.config;

import io.dockercache.common.config.ByteRateConverter;
import io.dockercache.common.config.ByteSize;
import io.dockercache.common.config.ByteSizeConverter;
import io.dockercache.common.config.FreeSpace;
import io.dockercache.common.config.FreeSpaceConverter;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
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

  /**
   * Credentials per upstream registry, in Docker's {@code config.json} format (the
   * {@code .dockerconfigjson} of a {@code kubernetes.io/dockerconfigjson} Secret), re-read when it
   * changes. A file absent at this path means no credentials. For the default upstream,
   * {@link #remoteUsername()} wins over the file's entry.
   */
  @WithName("docker_cache_upstream_auth_file")
  Optional<String> upstreamAuthFile();

  /** How long a tag's digest is trusted before an upstream HEAD revalidates it; 0 = every request. */
  @WithName("docker_cache_tag_ttl")
  @WithDefault("60s")
  Duration tagTtl();

  /**
   * Upstream connect timeout: bounds the TCP connect and, for every upstream request, the wait
   * for a pooled connection (a request that gets none in time fails; a tag is then served stale).
   */
  @WithName("docker_cache_upstream_connect_timeout")
  @WithDefault("10s")
  Duration upstreamConnectTimeout();

  /**
   * Connections to the upstream for blob bodies, a pool of their own: long fills never take the
   * connections manifest HEADs, tag lists and token requests use (those have 16 more).
   */
  @WithName("docker_cache_upstream_max_connections")
  @WithDefault("64")
  int upstreamMaxConnections();

  /**
   * An upstream response that sends nothing for this long is abandoned, headers or body: a stalled
   * blob download ends its clients' responses (reset) and stores nothing. This is the progress rule
   * of a fill: one that keeps receiving bytes runs on, up to {@link #fillMaxDuration()}.
   */
  @WithName("docker_cache_upstream_idle_timeout")
  @WithDefault("60s")
  Duration upstreamIdleTimeout();

  /**
   * Hard cap on one blob download, from the moment it is wanted (waiting for a connection
   * included), however steadily bytes arrive; a download that stops sending is ended sooner, by
   * {@link #upstreamIdleTimeout()}. Default 24h: a 40 GiB layer at 1 MB/s takes 11 h.
   */
  @WithName("docker_cache_fill_max_duration")
  Optional<Duration> fillMaxDurationSetting();

  /** Before 0.2 the only bound on a download, absolute; now read as the hard cap when that is unset. */
  @WithName("docker_cache_fill_timeout")
  Optional<Duration> legacyFillTimeout();

  /** The hard cap in effect: {@code docker_cache_fill_max_duration}, else the legacy key, else 24h. */
  default Duration fillMaxDuration() {
    return fillMaxDurationSetting().or(this::legacyFillTimeout).orElse(Duration.ofHours(24));
  }

  /**
   * Cap on the bytes of blob data held (layers, configs, manifests); crossing it starts eviction
   * at once, least recently used image first. 0 turns the cap off.
   */
  @WithName("docker_cache_max_size")
  @WithDefault("0")
  @WithConverter(ByteSizeConverter.class)
  ByteSize maxSize();

  /**
   * Bytes of memory for hot manifests and tags: manifest bytes by repository and digest, and the
   * digest each tag's link names, so a warm manifest request (a tag within
   * {@link #tagTtl()}, or a digest) reads no storage, on either backend. Counted as the
   * manifests' bytes plus a fixed overhead per entry, least recently used out first; what the
   * storage lifecycle removes leaves memory too, and an entry is read from storage again at least
   * once a minute (replicas sharing a store see each other's evictions). At most a quarter of the
   * heap is used, whatever is set. 0 turns it off.
   */
  @WithName("docker_cache_memory_cache_size")
  @WithDefault("64MiB")
  @WithConverter(ByteSizeConverter.class)
  ByteSize memoryCacheSize();

  /**
   * Filesystem backend: keep at least this much of the storage filesystem free (a percentage or
   * a size), whoever used the space, so the cache never pushes a node into disk pressure. 0 off.
   */
  @WithName("docker_cache_min_free_space")
  @WithDefault("20%")
  @WithConverter(FreeSpaceConverter.class)
  FreeSpace minFreeSpace();

  /** Content nobody pulled for this long is removed (the seed's 168 h TTL, refreshed on use); 0 off. */
  @WithName("docker_cache_max_idle")
  @WithDefault("168h")
  Duration maxIdle();

  /** How often the idle and free-space checks run (the cap is also checked on every commit). */
  @WithName("docker_cache_eviction_interval")
  @WithDefault("10m")
  Duration evictionInterval();

  /** Nothing committed or read within this window is removed (other replicas may stream it). */
  @WithName("docker_cache_eviction_grace")
  @WithDefault("10m")
  Duration evictionGrace();

  /**
   * Bytes per second the background scrub re-hashes stored blobs at, so damaged bytes at rest
   * are found without a restart; 0 turns the scrub off.
   */
  @WithName("docker_cache_scrub_rate")
  @WithDefault("20MiB/s")
  @WithConverter(ByteRateConverter.class)
  ByteSize scrubRate();

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
