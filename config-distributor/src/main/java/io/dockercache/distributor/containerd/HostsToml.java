package io.dockercache.distributor.containerd;

import io.dockercache.distributor.reconcile.Mirror;

/**
 * containerd's {@code certs.d/docker.io/hosts.toml} as we write it: our mirror for pull and
 * resolve, Docker Hub as the {@code server} fallback. The first line marks the file as ours.
 */
final class HostsToml {

  static final String MARK = "# Written by docker-cache config-distributor";

  private HostsToml() {}

  static String render(Mirror mirror) {
    return MARK + "; the file it replaced is in hosts.toml.docker-cache-backup.\n"
        + "server = \"https://registry-1.docker.io\"\n"
        + "\n"
        + "[host.\"" + quote(mirror.url()) + "\"]\n"
        + "  capabilities = [\"pull\", \"resolve\"]\n";
  }

  static boolean isOurs(String content) {
    return content.startsWith(MARK);
  }

  /** The mirror came through {@link Mirror#of}, which admits no quote or backslash; be sure. */
  private static String quote(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
