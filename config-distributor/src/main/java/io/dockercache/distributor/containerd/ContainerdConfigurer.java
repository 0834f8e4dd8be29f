package io.dockercache.distributor.containerd;

import io.dockercache.distributor.node.AtomicFile;
import io.dockercache.distributor.node.NodePaths;
import io.dockercache.distributor.node.StepResult;
import io.dockercache.distributor.reconcile.Mirrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * Writes containerd's hosts.toml for docker.io, keeping what was there in a backup (once) and
 * putting it back on cleanup. containerd reads hosts.toml per pull, so no reload is needed; it only
 * reads it at all when its CRI {@code registry.config_path} is set, which is reported otherwise.
 */
public final class ContainerdConfigurer {

  static final String RUNTIME = "containerd";
  private static final Logger LOG = Logger.getLogger(ContainerdConfigurer.class);

  private final NodePaths paths;

  public ContainerdConfigurer(NodePaths paths) {
    this.paths = paths;
  }

  Path backupFile() {
    return paths.dockerHubHostsToml().resolveSibling("hosts.toml.docker-cache-backup");
  }

  public StepResult apply(Mirrors mirrors) {
    Path file = paths.dockerHubHostsToml();
    try {
      AtomicFile.sweepTemporaries(file);
      String wanted = HostsToml.render(mirrors);
      String current = Files.exists(file) ? Files.readString(file) : null;
      boolean changed = !wanted.equals(current);
      if (changed) {
        if (current != null && !HostsToml.isOurs(current)) {
          // The admin's newest file is the one to put back.
          AtomicFile.write(backupFile(), current.getBytes(StandardCharsets.UTF_8));
        }
        AtomicFile.write(file, wanted.getBytes(StandardCharsets.UTF_8));
        LOG.infof("wrote %s", file);
      }
      String message = (changed ? file + " written" : file + " already right") + configPathNote();
      return StepResult.applied(RUNTIME, changed, message);
    } catch (IOException e) {
      return StepResult.failed(RUNTIME, file + ": " + e);
    }
  }

  public StepResult cleanup() {
    Path file = paths.dockerHubHostsToml();
    try {
      AtomicFile.sweepTemporaries(file);
      if (!Files.exists(file) || !HostsToml.isOurs(Files.readString(file))) {
        return StepResult.applied(RUNTIME, false, file + " holds nothing of ours");
      }
      if (Files.exists(backupFile())) {
        AtomicFile.write(file, Files.readAllBytes(backupFile()));
        Files.delete(backupFile());
        return StepResult.applied(RUNTIME, true, file + " restored from its backup");
      }
      Files.delete(file);
      deleteIfEmpty(file.getParent());
      return StepResult.applied(RUNTIME, true, file + " removed");
    } catch (IOException e) {
      return StepResult.failed(RUNTIME, file + ": " + e);
    }
  }

  /** containerd only uses certs.d when {@code config_path} is set in its config.toml. */
  private String configPathNote() throws IOException {
    Path config = paths.containerdConfig();
    if (Files.exists(config)) {
      for (String line : Files.readAllLines(config)) {
        String trimmed = line.strip();
        if (trimmed.startsWith("config_path") && trimmed.contains("=")
            && !trimmed.substring(trimmed.indexOf('=') + 1).replace("\"", "").isBlank()) {
          return "";
        }
      }
    }
    return "; note: containerd's registry config_path is not set in " + config
        + ", so it does not use hosts.toml (set config_path = \"/etc/containerd/certs.d\")";
  }

  private static void deleteIfEmpty(Path dir) throws IOException {
    try (var entries = Files.list(dir)) {
      if (entries.findAny().isEmpty()) {
        Files.delete(dir);
      }
    }
  }
}
