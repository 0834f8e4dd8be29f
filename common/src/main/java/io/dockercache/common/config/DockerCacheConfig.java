package io.dockercache.common.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.net.URI;
import java.util.Optional;

/**
 * The OpenPAI seed's keys, shared by cache-service and config-distributor (DESIGN.md §2). The
 * names are a contract: an admin's existing {@code config.yaml} must work unchanged. Sources, from
 * strongest: system properties, environment variables ({@code DOCKER_CACHE_REMOTE_URL}), the YAML
 * file of {@link SeedFileConfigSourceFactory}, the defaults here. Check a loaded instance with
 * {@link SeedConfigCheck#problems}.
 */
@ConfigMapping(prefix = "")
public interface DockerCacheConfig {

  /** Node switch: the distributor adds the mirror to nodes when true, removes it when false. */
  @WithName("enable_docker_cache")
  @WithDefault("false")
  @WithConverter(StrictBooleanConverter.class)
  boolean enabled();

  /** Where the cache keeps blobs and manifests. */
  @WithName("docker_cache_storage_backend")
  @WithDefault("filesystem")
  StorageBackend storageBackend();

  /** Azure storage account; required for the {@code azure} backend. */
  @WithName("docker_cache_azure_account_name")
  Optional<String> azureAccountName();

  /** Azure storage account key (base64); required for {@code azure}. A secret: never logged. */
  @WithName("docker_cache_azure_account_key")
  Optional<String> azureAccountKey();

  /** Blob container for the {@code azure} backend. */
  @WithName("docker_cache_azure_container_name")
  @WithDefault("dockerregistry")
  String azureContainerName();

  /** Filesystem storage root, in the distribution registry's layout. */
  @WithName("docker_cache_fs_mount_path")
  @WithDefault("/var/lib/registry")
  String fsMountPath();

  /** The upstream registry the cache pulls through. */
  @WithName("docker_cache_remote_url")
  @WithDefault("https://registry-1.docker.io")
  String remoteUrl();

  /** Base64 of an htpasswd file (bcrypt entries); empty means no auth. A secret: never logged. */
  @WithName("docker_cache_htpasswd")
  Optional<String> htpasswd();

  /** The mirror address {@code <ip>:<port>} the distributor writes to nodes; else discovered. */
  @WithName("docker_cache_host")
  Optional<String> host();

  /** {@link #remoteUrl()} as a URI; call after {@link SeedConfigCheck#problems} found none. */
  default URI remoteUri() {
    return URI.create(remoteUrl());
  }
}
