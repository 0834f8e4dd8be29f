package io.dockercache.distributor.node;

import java.nio.file.Files;

/**
 * The container runtimes found under the node root: docker when dockerd runs (its pid file names a
 * live process) or {@code /etc/docker} exists; containerd when {@code /etc/containerd} exists.
 */
public record NodeRuntimes(boolean docker, boolean containerd) {

  public static NodeRuntimes detect(NodePaths paths) {
    boolean docker = Files.isDirectory(paths.dockerEtc()) || paths.dockerdPid().isPresent();
    boolean containerd = Files.isDirectory(paths.containerdEtc());
    return new NodeRuntimes(docker, containerd);
  }

  public boolean none() {
    return !docker && !containerd;
  }

  @Override
  public String toString() {
    if (none()) {
      return "neither docker nor containerd";
    }
    return docker && containerd ? "docker and containerd" : docker ? "docker" : "containerd";
  }

}
