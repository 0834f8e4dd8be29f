package io.dockercache.distributor.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The node's files the distributor reads and writes, below the node root (the hostPath mount). */
public record NodePaths(Path root) {

  private static final String DOCKERD = "dockerd";

  public Path dockerEtc() {
    return root.resolve("etc/docker");
  }

  public Path daemonJson() {
    return dockerEtc().resolve("daemon.json");
  }

  public Path dockerPidFile() {
    return root.resolve("var/run/docker.pid");
  }

  public Path dockerSocket() {
    return root.resolve("var/run/docker.sock");
  }

  public Path containerdEtc() {
    return root.resolve("etc/containerd");
  }

  public Path containerdConfig() {
    return containerdEtc().resolve("config.toml");
  }

  /** containerd's hosts directory: one {@code <host>/hosts.toml} per registry host. */
  public Path containerdCertsDir() {
    return containerdEtc().resolve("certs.d");
  }

  /**
   * {@code certs.d/<host>/hosts.toml}; {@code host} is a registry host name (a directory name,
   * never a path: no separator, not {@code .} or {@code ..}).
   */
  public Path hostsToml(String host) {
    if (host.isEmpty() || host.contains("/") || host.equals(".") || host.equals("..")) {
      throw new IllegalArgumentException("not a registry host: \"" + host + "\"");
    }
    return containerdCertsDir().resolve(host).resolve("hosts.toml");
  }

  public Path dockerHubHostsToml() {
    return hostsToml("docker.io");
  }

  /**
   * dockerd's pid when its pid file names a live process that is dockerd (the pod shares the
   * host's pid space). A stale pid file can name any process that got the number since; that one
   * must never get dockerd's SIGHUP, so the process's name is checked.
   */
  public Optional<Long> dockerdPid() {
    try {
      String text = Files.readString(dockerPidFile()).trim();
      long pid = Long.parseLong(text);
      boolean alive = ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent();
      return alive && DOCKERD.equals(processName(pid)) ? Optional.of(pid) : Optional.empty();
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** The kernel's name of a process ({@code /proc/<pid>/comm}: its executable's file name). */
  private static String processName(long pid) throws IOException {
    return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim();
  }
}
