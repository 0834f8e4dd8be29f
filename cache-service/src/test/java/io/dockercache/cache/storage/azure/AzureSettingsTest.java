package io.dockercache.cache.storage.azure;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Invalid Azure settings are refused with the key's name; the account key never shows. */
class AzureSettingsTest {

  private static final String KEY = "c2VjcmV0LWtleQ==";

  @ParameterizedTest
  @CsvSource({
      "https://a.blob.core.windows.net, 30s, 4, 500ms, ",
      "ftp://a.blob.core.windows.net, 30s, 4, 500ms, docker_cache_azure_endpoint",
      "not a url, 30s, 4, 500ms, docker_cache_azure_endpoint",
      "https://a.blob.core.windows.net, 0s, 4, 500ms, docker_cache_azure_try_timeout",
      "https://a.blob.core.windows.net, 30s, 0, 500ms, docker_cache_azure_max_tries",
      "https://a.blob.core.windows.net, 30s, 21, 500ms, docker_cache_azure_max_tries",
      "https://a.blob.core.windows.net, 30s, 4, 0s, docker_cache_azure_retry_delay",
  })
  void settings_areCheckedNamingTheKey(String endpoint, String tryTimeout, int maxTries,
      String retryDelay, String badKey) {
    if (badKey == null) {
      AzureSettings ok = settings(endpoint, tryTimeout, maxTries, retryDelay);
      assertFalse(ok.toString().contains(KEY), ok.toString());
      return;
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> settings(endpoint, tryTimeout, maxTries, retryDelay));
    assertTrue(e.getMessage().startsWith(badKey + "="), e.getMessage());
  }

  private static AzureSettings settings(String endpoint, String tryTimeout, int maxTries,
      String retryDelay) {
    return new AzureSettings(endpoint, "account", KEY, "dockerregistry", duration(tryTimeout),
        maxTries, duration(retryDelay));
  }

  private static Duration duration(String s) {
    return s.endsWith("ms") ? Duration.ofMillis(Long.parseLong(s.replace("ms", "")))
        : Duration.ofSeconds(Long.parseLong(s.replace("s", "")));
  }
}
