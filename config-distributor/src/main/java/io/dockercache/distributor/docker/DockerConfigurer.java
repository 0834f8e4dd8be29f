package io.dockercache.distributor.docker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dockercache.distributor.node.AtomicFile;
import io.dockercache.distributor.node.NodePaths;
import io.dockercache.distributor.node.StepResult;
import io.dockercache.distributor.reconcile.Mirrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Puts our mirrors into dockerd's daemon.json and takes it out again, live: merge, write atomically
 * (the original backed up once), SIGHUP, then {@code GET /info} proves what dockerd uses.
 */
public final class DockerConfigurer {

  static final String RUNTIME = "docker";
  private static final Logger LOG = Logger.getLogger(DockerConfigurer.class);

  private final NodePaths paths;
  private final Duration reloadTimeout;

  public DockerConfigurer(NodePaths paths, Duration reloadTimeout) {
    this.paths = paths;
    this.reloadTimeout = reloadTimeout;
  }

  Path additionsFile() {
    return paths.daemonJson().resolveSibling("daemon.json.docker-cache");
  }

  Path backupFile() {
    return paths.daemonJson().resolveSibling("daemon.json.docker-cache-backup");
  }

  public StepResult apply(Mirrors mirrors) {
    return change(true, mirrors);
  }

  public StepResult cleanup() {
    return change(false, null);
  }

  private StepResult change(boolean apply, Mirrors mirrors) {
    Path file = paths.daemonJson();
    Optional<DockerdProcess> dockerd = paths.dockerdPid().map(DockerdProcess::new);
    try {
      AtomicFile.sweepTemporaries(file);
      Optional<StepResult> refused = refusal(file, dockerd);
      if (refused.isPresent()) {
        return refused.get();
      }
      byte[] original = readIfExists(file);
      ObjectNode before = DaemonJson.parse(original);
      Additions previous = Additions.read(additionsFile());
      DaemonJson.Merge merge = apply ? DaemonJson.apply(before, mirrors, previous)
          : new DaemonJson.Merge(DaemonJson.cleanup(before, previous), Additions.NONE);
      // Apply always leaves a file; cleanup never creates one.
      boolean changed = original == null ? apply : !merge.json().equals(before);
      boolean hadBackup = Files.exists(backupFile());
      if (changed) {
        write(file, original, merge.json(), previous, merge.additions());
      } else if (!merge.additions().equals(previous)) {
        saveAdditions(merge.additions());
      }
      Predicate<List<String>> expected = apply ? active(mirrors, previous) : inactive(previous.mirrors());
      StepResult result = reload(dockerd, changed, expected,
          apply ? "mirrors " + mirrors + " active" : "our mirrors removed");
      if (!result.ok() && changed && dockerd.isPresent()) {
        return putBack(file, original, previous, merge.additions(), hadBackup, dockerd.get(), result);
      }
      if (!apply) {
        Files.deleteIfExists(backupFile());
      }
      return result;
    } catch (InvalidDaemonJson e) {
      return StepResult.failed(RUNTIME, file + " left untouched: " + e.getMessage());
    } catch (IOException e) {
      return StepResult.failed(RUNTIME, file + ": " + e);
    }
  }

  /** Why this node's daemon.json must not be touched at all, if it must not. */
  private static Optional<StepResult> refusal(Path file, Optional<DockerdProcess> dockerd) throws IOException {
    if (Files.isSymbolicLink(file)) {
      // Replacing it by rename would turn the admin's link into a plain file.
      return Optional.of(StepResult.failed(RUNTIME, file + " is a symbolic link (to "
          + Files.readSymbolicLink(file) + "); left untouched: replace the link by the file itself"));
    }
    if (dockerd.isPresent()) {
      List<String> flags = dockerd.get().conflictingFlags();
      if (!flags.isEmpty()) {
        return Optional.of(StepResult.failed(RUNTIME, "dockerd (pid " + dockerd.get().pid() + ") runs with "
            + flags + ", so a reload of registry settings from daemon.json would be rejected; " + file
            + " left unchanged: move those settings into daemon.json"));
      }
    }
    return Optional.empty();
  }

  /** Every wanted mirror is active, and none of ours that left the list still is. */
  private static Predicate<List<String>> active(Mirrors mirrors, Additions previous) {
    List<String> wanted = mirrors.urls().stream().map(DaemonJson::stripSlash).toList();
    List<String> gone = previous.mirrors().stream().map(DaemonJson::stripSlash)
        .filter(m -> !wanted.contains(m)).toList();
    return active -> active.containsAll(wanted) && inactive(gone).test(active);
  }

  private static Predicate<List<String>> inactive(List<String> ours) {
    return active -> ours.stream().map(DaemonJson::stripSlash).noneMatch(active::contains);
  }

  private void write(Path file, byte[] original, ObjectNode after, Additions previous, Additions owned)
      throws IOException {
    // An entry is recorded as ours before it is in daemon.json and leaves the record only after it
    // has left daemon.json: after a crash or SIGTERM between the writes, cleanup still finds it,
    // and removing a recorded entry that was never written changes nothing.
    saveAdditions(previous.with(owned));
    if (original != null) {
      AtomicFile.backupOnce(file, backupFile());
    }
    AtomicFile.write(file, DaemonJson.render(after, original));
    saveAdditions(owned);
    LOG.infof("wrote %s", file);
  }

  /**
   * dockerd refused the reload (say the admin added a key it does not know): daemon.json goes
   * back byte for byte, our record and backup as they were, and dockerd is signalled again, so it
   * runs on as before. It is never restarted.
   */
  private StepResult putBack(Path file, byte[] original, Additions previous, Additions owned,
      boolean hadBackup, DockerdProcess dockerd, StepResult refused) throws IOException {
    saveAdditions(previous.with(owned));
    if (original == null) {
      Files.deleteIfExists(file);
    } else {
      AtomicFile.write(file, original);
    }
    saveAdditions(previous);
    if (!hadBackup) {
      Files.deleteIfExists(backupFile());
    }
    dockerd.reload();
    LOG.warnf("dockerd refused the reload; put %s back as it was", file);
    return StepResult.failed(RUNTIME, refused.message() + "; " + file
        + " put back byte for byte and dockerd signalled again, so it runs as before (never restarted)");
  }

  private void saveAdditions(Additions owned) throws IOException {
    if (owned.isEmpty()) {
      Files.deleteIfExists(additionsFile());
    } else {
      AtomicFile.write(additionsFile(), owned.toJson());
    }
  }

  private StepResult reload(Optional<DockerdProcess> dockerd, boolean changed,
      Predicate<List<String>> expected, String goal) throws IOException {
    String written = changed ? "daemon.json updated" : "daemon.json already right";
    if (dockerd.isEmpty()) {
      return StepResult.applied(RUNTIME, changed, written
          + "; dockerd is not running, it reads the file when it starts");
    }
    DockerSocket socket = new DockerSocket(paths.dockerSocket());
    if (!changed && expected.test(socket.activeMirrors())) {
      return StepResult.applied(RUNTIME, false, written + ", " + goal + " in dockerd");
    }
    dockerd.get().reload();
    long deadline = System.nanoTime() + reloadTimeout.toNanos();
    List<String> active = socket.activeMirrors();
    while (!expected.test(active) && System.nanoTime() < deadline) {
      sleep();
      active = socket.activeMirrors();
    }
    if (!expected.test(active)) {
      return StepResult.failed(RUNTIME, written + " and dockerd (pid " + dockerd.get().pid()
          + ") signalled, but GET /info still lists mirrors " + active
          + " (dockerd logs why a reload was rejected)");
    }
    return StepResult.applied(RUNTIME, true, written + ", dockerd reloaded (SIGHUP, pid "
        + dockerd.get().pid() + "), " + goal + " in GET /info");
  }

  private static byte[] readIfExists(Path file) throws IOException {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private static void sleep() throws IOException {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for dockerd", e);
    }
  }
}
