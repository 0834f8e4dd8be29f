package io.dockercache.cache.storage.azure;

import com.azure.core.http.HttpClient;
import com.azure.core.util.HttpClientOptions;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import java.time.Duration;

/**
 * Builds the container clients. The SDK's own defaults would wait without bound on a stalled
 * connection, so each try is bounded twice: by the retry policy's try timeout and by the HTTP
 * client's connect, response and read timeouts.
 */
final class ContainerClients {

  private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration MAX_HEALTH_TIMEOUT = Duration.ofSeconds(5);

  private ContainerClients() {}

  /** The client for data: {@code maxTries} tries, exponential back-off. */
  static BlobContainerClient data(AzureSettings s) {
    RequestRetryOptions retry = new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, s.maxTries(),
        s.tryTimeout(), s.retryDelay(), s.retryDelay().multipliedBy(8), null);
    return build(s, s.tryTimeout(), retry);
  }

  /** The client for readiness: one short try, so a dead endpoint shows within seconds. */
  static BlobContainerClient health(AzureSettings s) {
    Duration timeout = healthTimeout(s);
    RequestRetryOptions once = new RequestRetryOptions(RetryPolicyType.FIXED, 1, timeout,
        Duration.ofMillis(1), Duration.ofMillis(1), null);
    return build(s, timeout, once);
  }

  static Duration healthTimeout(AzureSettings s) {
    return min(s.tryTimeout(), MAX_HEALTH_TIMEOUT);
  }

  private static BlobContainerClient build(AzureSettings s, Duration tryTimeout,
      RequestRetryOptions retry) {
    HttpClientOptions http = new HttpClientOptions()
        .setConnectTimeout(min(tryTimeout, MAX_CONNECT_TIMEOUT))
        .setResponseTimeout(tryTimeout)
        .setReadTimeout(tryTimeout)
        .setWriteTimeout(tryTimeout);
    return new BlobContainerClientBuilder()
        .endpoint(s.endpoint())
        .containerName(s.container())
        .credential(new StorageSharedKeyCredential(s.account(), s.accountKey()))
        .httpClient(HttpClient.createDefault(http))
        .retryOptions(retry)
        .buildClient();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
