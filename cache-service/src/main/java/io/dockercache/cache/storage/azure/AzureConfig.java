package io.dockercache.cache.storage.azure;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Optional;

/**
 * Keys of the Azure backend beyond the seed's account, key and container (those live in {@link
 * io.dockercache.common.config.DockerCacheConfig}). Read only when
 * {@code docker_cache_storage_backend=azure}.
 */
@ConfigMapping(prefix = "")
public interface AzureConfig {

  /**
   * The Blob service endpoint; default {@code https://<account>.blob.core.windows.net}. Set it for
   * a sovereign cloud or Azurite ({@code http://127.0.0.1:10000/devstoreaccount1}).
   */
  @WithName("docker_cache_azure_endpoint")
  Optional<String> endpoint();

  /** One try of one Azure request (connect, first byte, or a pause in a body) gives up after this. */
  @WithName("docker_cache_azure_try_timeout")
  @WithDefault("30s")
  Duration tryTimeout();

  /** Tries per Azure request, the first included: a failed or timed-out try is retried until then. */
  @WithName("docker_cache_azure_max_tries")
  @WithDefault("4")
  int maxTries();

  /** Back-off before the first retry; doubles on each further retry, up to 8 times this. */
  @WithName("docker_cache_azure_retry_delay")
  @WithDefault("500ms")
  Duration retryDelay();
}
