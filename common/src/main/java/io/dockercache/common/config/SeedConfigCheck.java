package io.dockercache.common.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Cross-field and format checks of {@link DockerCacheConfig} that a type alone cannot express.
 * Each problem is one line naming the key, the value (never a secret's) and what is allowed.
 */
public final class SeedConfigCheck {

  private SeedConfigCheck() {}

  /** The problems of a configuration; empty when it is usable. */
  public static List<String> problems(DockerCacheConfig config) {
    List<String> problems = new ArrayList<>();
    checkUrl(config.remoteUrl(), problems);
    if (config.storageBackend() == StorageBackend.AZURE) {
      if (config.azureAccountName().filter(s -> !s.isBlank()).isEmpty()) {
        problems.add("docker_cache_azure_account_name: required when docker_cache_storage_backend"
            + " is azure");
      }
      String key = config.azureAccountKey().orElse("");
      if (key.isBlank()) {
        problems.add("docker_cache_azure_account_key: required when docker_cache_storage_backend"
            + " is azure (the account's base64 key, from a Secret)");
      } else if (!isBase64(key)) {
        problems.add("docker_cache_azure_account_key: (value hidden) is not base64; allowed: the"
            + " storage account's key as the Azure portal shows it");
      }
      if (!isContainerName(config.azureContainerName())) {
        problems.add("docker_cache_azure_container_name: \"" + config.azureContainerName()
            + "\" is not a container name; allowed: 3-63 of a-z, 0-9 and single hyphens");
      }
    }
    if (config.fsMountPath().isBlank()) {
      problems.add("docker_cache_fs_mount_path: empty; allowed: a directory path");
    }
    config.htpasswd().filter(h -> !h.isBlank() && !isBase64(h)).ifPresent(h -> problems.add(
        "docker_cache_htpasswd: (value hidden) is not base64; allowed: base64 of an htpasswd file"
            + " (base64 -w0 htpasswd)"));
    return problems;
  }

  private static void checkUrl(String url, List<String> problems) {
    String allowed = "; allowed: an http:// or https:// URL with a host, e.g. https://registry-1.docker.io";
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (java.net.URISyntaxException e) {
      problems.add("docker_cache_remote_url: \"" + url + "\" is not a URL" + allowed);
      return;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
        || uri.getUserInfo() != null || uri.getQuery() != null || uri.getFragment() != null) {
      problems.add("docker_cache_remote_url: \"" + url + "\" is not usable" + allowed);
    }
  }

  private static boolean isBase64(String value) {
    try {
      String compact = value.replaceAll("\\s", "");
      Base64.getDecoder().decode(compact);
      return !compact.isEmpty();
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Azure's container naming rule. */
  private static boolean isContainerName(String name) {
    if (name.length() < 3 || name.length() > 63 || name.startsWith("-") || name.endsWith("-")
        || name.contains("--")) {
      return false;
    }
    return name.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  }
}
