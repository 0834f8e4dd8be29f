package io.dockercache.distributor.docker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The running dockerd, found through its pid file (the pod shares the host's pid namespace): its
 * command line, and SIGHUP, which makes it reload daemon.json. It is never restarted.
 */
final class DockerdProcess {

  private static final List<String> CONFLICTING = List.of("--registry-mirror", "--insecure-registry");

  private final long pid;

  DockerdProcess(long pid) {
    this.pid = pid;
  }

  long pid() {
    return pid;
  }

  /** Flags that make dockerd reject a reload of the same keys from daemon.json. */
  List<String> conflictingFlags() throws IOException {
    byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
    List<String> found = new ArrayList<>();
    for (String arg : new String(raw, StandardCharsets.UTF_8).split("\0")) {
      for (String flag : CONFLICTING) {
        if (arg.equals(flag) || arg.startsWith(flag + "=") || arg.equals(flag + "s")
            || arg.startsWith(flag + "s=")) {
          found.add(arg);
        }
      }
    }
    return found;
  }

  void reload() throws IOException {
    Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(pid))
        .redirectErrorStream(true).start();
    try {
      if (!kill.waitFor(10, TimeUnit.SECONDS)) {
        kill.destroyForcibly();
        throw new IOException("kill -HUP " + pid + " did not finish");
      }
      if (kill.exitValue() != 0) {
        String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        throw new IOException("kill -HUP " + pid + " failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while signalling dockerd", e);
    }
  }
}
