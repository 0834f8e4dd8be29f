package io.dockercache.distributor.reconcile;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * The mirror written to nodes: {@code url} as dockerd's {@code registry-mirrors} and containerd's
 * {@code [host]} want it ({@code http://10.0.0.1:30500}), {@code hostPort} as
 * {@code insecure-registries} wants it. A bare {@code <ip>:<port>} (the seed's form) means http.
 */
public record Mirror(String url, String hostPort) {

  /** Parses {@code docker_cache_host}: {@code ip:port}, {@code http://ip:port} or {@code https://...}. */
  public static Mirror of(String host) {
    String trimmed = host.trim();
    if (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    String withScheme = trimmed.contains("://") ? trimmed : "http://" + trimmed;
    URI uri;
    try {
      uri = new URI(withScheme);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(invalid(host));
    }
    boolean schemeOk = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
    boolean pathOk = uri.getRawPath() == null || uri.getRawPath().isEmpty();
    if (!schemeOk || uri.getHost() == null || !pathOk || uri.getRawQuery() != null
        || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(invalid(host));
    }
    return new Mirror(withScheme, uri.getRawAuthority());
  }

  private static String invalid(String host) {
    return "\"" + host + "\" is not a mirror address; allowed: <ip>:<port> (http), http://<host>:<port>"
        + " or https://<host>[:<port>]";
  }

  /** Plain http: dockerd then needs the host in {@code insecure-registries}. */
  public boolean insecure() {
    return url.startsWith("http://");
  }

  @Override
  public String toString() {
    return url;
  }
}
