package io.dockercache.distributor.containerd;

import io.dockercache.distributor.reconcile.Mirror;
import io.dockercache.distributor.reconcile.Mirrors;

/**
 * containerd's {@code certs.d/<host>/hosts.toml} as we write it: our mirrors for pull and resolve,
 * one {@code [host]} table each in the order containerd tries them, the registry itself as the
 * {@code server} fallback after them. The first line marks the file as ours.
 */
final class HostsToml {

  static final String MARK = "# Written by docker-cache config-distributor";

  private HostsToml() {}

  /** {@code server} is the registry's own URL ({@code https://registry-1.docker.io}). */
  static String render(Mirrors mirrors, String server) {
    StringBuilder toml = new StringBuilder(MARK)
        .append("; the file it replaced is in hosts.toml.docker-cache-backup.\n")
        .append("server = \"").append(quote(server)).append("\"\n");
    for (Mirror mirror : mirrors.all()) {
      toml.append("\n[host.\"").append(quote(mirror.url())).append("\"]\n")
          .append("  capabilities = [\"pull\", \"resolve\"]\n");
    }
    return toml.toString();
  }

  static boolean isOurs(String content) {
    return content.startsWith(MARK);
  }

  /**
   * The mirror came through {@link Mirror#of} and the server through the configuration check,
   * which admit no quote or backslash; be sure.
   */
  private static String quote(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
