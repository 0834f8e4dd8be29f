package io.dockercache.distributor.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The node's files the distributor reads and writes, below the node root (the hostPath mount). */
public record NodePaths(Path root) {

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

  public Path dockerHubHostsToml() {
    return containerdEtc().resolve("certs.d/docker.io/hosts.toml");
  }

  /** dockerd's pid when its pid file names a live process (the pod shares the host's pid space). */
  public Optional<Long> dockerdPid() {
    try {
      String text = Files.readString(dockerPidFile()).trim();
      long pid = Long.parseLong(text);
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(p -> pid);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }
}
