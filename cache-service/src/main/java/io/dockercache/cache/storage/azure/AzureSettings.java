package io.dockercache.cache.storage.azure;

import io.dockercache.common.config.DockerCacheConfig;
import java.net.URI;
import java.time.Duration;

/** The Azure backend's settings, checked, from the seed's keys and {@link AzureConfig}. */
record AzureSettings(String endpoint, String account, String accountKey, String container,
    Duration tryTimeout, int maxTries, Duration retryDelay) {

  AzureSettings {
    if (tryTimeout.isNegative() || tryTimeout.isZero()) {
      throw new IllegalArgumentException("docker_cache_azure_try_timeout=" + tryTimeout
          + " is not allowed; use a positive duration such as 30s");
    }
    if (maxTries < 1 || maxTries > 20) {
      throw new IllegalArgumentException("docker_cache_azure_max_tries=" + maxTries
          + " is not allowed; use 1 to 20");
    }
    if (retryDelay.isNegative() || retryDelay.isZero()) {
      throw new IllegalArgumentException("docker_cache_azure_retry_delay=" + retryDelay
          + " is not allowed; use a positive duration such as 500ms");
    }
    URI uri;
    try {
      uri = URI.create(endpoint);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("docker_cache_azure_endpoint=" + endpoint
          + " is not a URL; use e.g. https://<account>.blob.core.windows.net");
    }
    if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
      throw new IllegalArgumentException("docker_cache_azure_endpoint=" + endpoint
          + " is not an http(s) URL; use e.g. https://<account>.blob.core.windows.net");
    }
  }

  static AzureSettings of(DockerCacheConfig seed, AzureConfig azure) {
    String account = seed.azureAccountName().orElseThrow(() -> new IllegalArgumentException(
        "docker_cache_azure_account_name is required for docker_cache_storage_backend=azure"));
    String key = seed.azureAccountKey().orElseThrow(() -> new IllegalArgumentException(
        "docker_cache_azure_account_key is required for docker_cache_storage_backend=azure"));
    String endpoint = azure.endpoint().filter(e -> !e.isBlank())
        .orElse("https://" + account + ".blob.core.windows.net");
    return new AzureSettings(stripSlash(endpoint), account, key, seed.azureContainerName(),
        azure.tryTimeout(), azure.maxTries(), azure.retryDelay());
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  /** The account key is a secret: never printed. */
  @Override
  public String toString() {
    return "AzureSettings[endpoint=" + endpoint + ", account=" + account + ", container="
        + container + ", tryTimeout=" + tryTimeout + ", maxTries=" + maxTries + "]";
  }
}
