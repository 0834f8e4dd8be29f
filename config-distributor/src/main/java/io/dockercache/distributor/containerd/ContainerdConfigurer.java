package io.dockercache.distributor.containerd;

import io.dockercache.common.config.UpstreamRegistries;
import io.dockercache.distributor.node.AtomicFile;
import io.dockercache.distributor.node.NodePaths;
import io.dockercache.distributor.node.StepResult;
import io.dockercache.distributor.reconcile.Mirrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * Writes containerd's hosts.toml for docker.io and for every host of {@code
 * docker_cache_registries}, keeping what was there in a backup (once) and putting it back on
 * cleanup. A host no longer configured is found by our mark in {@code certs.d}, so no state of our
 * own is kept. containerd reads hosts.toml per pull, so no reload is needed; it only reads it at
 * all when its CRI {@code registry.config_path} is set, which is reported otherwise.
 */
public final class ContainerdConfigurer {

  static final String RUNTIME = "containerd";
  static final String DOCKER_HUB = "docker.io";
  static final String DOCKER_HUB_SERVER = "https://registry-1.docker.io";
  private static final String BACKUP = "hosts.toml.docker-cache-backup";
  private static final Logger LOG = Logger.getLogger(ContainerdConfigurer.class);

  private final NodePaths paths;

  public ContainerdConfigurer(NodePaths paths) {
    this.paths = paths;
  }

  Path backupFile(String host) {
    return paths.hostsToml(host).resolveSibling(BACKUP);
  }

  /** Our hosts.toml for docker.io and each configured registry; ours for other hosts removed. */
  public StepResult apply(Mirrors mirrors, UpstreamRegistries registries) {
    Map<String, String> servers = new LinkedHashMap<>();
    servers.put(DOCKER_HUB, DOCKER_HUB_SERVER);
    registries.hosts().forEach((host, url) -> servers.putIfAbsent(host, url.toString()));
    Steps steps = new Steps();
    servers.forEach((host, server) -> steps.run(host, () -> write(host, HostsToml.render(mirrors, server))));
    try {
      for (String host : oursIn(paths.containerdCertsDir())) {
        if (!servers.containsKey(host)) {
          steps.run(host, () -> {
            String removed = remove(host);
            return removed == null ? null : removed + " (no longer configured)";
          });
        }
      }
    } catch (IOException e) {
      steps.failed.add(paths.containerdCertsDir() + ": " + e);
    }
    if (!steps.failed.isEmpty()) {
      return StepResult.failed(RUNTIME, String.join("; ", steps.failed));
    }
    try {
      return StepResult.applied(RUNTIME, steps.changed, steps.summary() + configPathNote());
    } catch (IOException e) {
      return StepResult.failed(RUNTIME, paths.containerdConfig() + ": " + e);
    }
  }

  /** Every hosts.toml of ours out: the admin's put back from its backup, else removed. */
  public StepResult cleanup() {
    Steps steps = new Steps();
    try {
      TreeSet<String> hosts = oursIn(paths.containerdCertsDir());
      if (hosts.isEmpty()) {
        return StepResult.applied(RUNTIME, false, paths.containerdCertsDir() + " holds nothing of ours");
      }
      for (String host : hosts) {
        steps.run(host, () -> remove(host));
      }
    } catch (IOException e) {
      steps.failed.add(paths.containerdCertsDir() + ": " + e);
    }
    return steps.failed.isEmpty() ? StepResult.applied(RUNTIME, steps.changed, steps.summary())
        : StepResult.failed(RUNTIME, String.join("; ", steps.failed));
  }

  /** Writes {@code wanted} unless it is there; returns what happened, or null when nothing changed. */
  private String write(String host, String wanted) throws IOException {
    Path file = paths.hostsToml(host);
    AtomicFile.sweepTemporaries(file);
    String current = Files.exists(file) ? Files.readString(file) : null;
    if (wanted.equals(current)) {
      return null;
    }
    if (current != null && !HostsToml.isOurs(current)) {
      // The admin's newest file is the one to put back.
      AtomicFile.write(backupFile(host), current.getBytes(StandardCharsets.UTF_8));
    }
    AtomicFile.write(file, wanted.getBytes(StandardCharsets.UTF_8));
    LOG.infof("wrote %s", file);
    return "written";
  }

  /** Puts the admin's file back, or removes ours and its directory when that is then empty. */
  private String remove(String host) throws IOException {
    Path file = paths.hostsToml(host);
    AtomicFile.sweepTemporaries(file);
    if (!Files.exists(file) || !HostsToml.isOurs(Files.readString(file))) {
      return null;
    }
    Path backup = backupFile(host);
    if (Files.exists(backup)) {
      AtomicFile.write(file, Files.readAllBytes(backup));
      Files.delete(backup);
      LOG.infof("restored %s from its backup", file);
      return "restored from its backup";
    }
    Files.delete(file);
    deleteIfEmpty(file.getParent());
    LOG.infof("removed %s", file);
    return "removed";
  }

  /** The host directories of {@code certs.d} whose hosts.toml starts with our mark, sorted. */
  private static TreeSet<String> oursIn(Path certsDir) throws IOException {
    TreeSet<String> hosts = new TreeSet<>();
    if (!Files.isDirectory(certsDir)) {
      return hosts;
    }
    try (var dirs = Files.list(certsDir)) {
      for (Path dir : (Iterable<Path>) dirs::iterator) {
        Path file = dir.resolve("hosts.toml");
        if (Files.isDirectory(dir) && Files.isRegularFile(file) && HostsToml.isOurs(Files.readString(file))) {
          hosts.add(dir.getFileName().toString());
        }
      }
    }
    return hosts;
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

  /** One file's action: what it did ({@code null} = nothing to do), or an I/O failure. */
  private interface HostAction {
    String run() throws IOException;
  }

  /** The per-host results of one apply or cleanup, in order; a failure does not stop the others. */
  private final class Steps {
    private final List<String> done = new ArrayList<>();
    private final List<String> unchanged = new ArrayList<>();
    private final List<String> failed = new ArrayList<>();
    private boolean changed;

    void run(String host, HostAction action) {
      try {
        String what = action.run();
        if (what == null) {
          unchanged.add(host);
        } else {
          changed = true;
          done.add(host + " " + what);
        }
      } catch (IOException e) {
        failed.add(paths.hostsToml(host) + ": " + e);
      }
    }

    String summary() {
      List<String> parts = new ArrayList<>(done);
      if (!unchanged.isEmpty()) {
        parts.add(String.join(", ", unchanged) + (done.isEmpty() ? " already right" : " unchanged"));
      }
      return paths.containerdCertsDir() + ": " + String.join(", ", parts);
    }
  }
}
