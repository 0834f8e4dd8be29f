package io.dockercache.distributor.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The pid file is trusted only when it names a live process called dockerd; hosts stay in certs.d. */
class NodePathsTest {

  @Test
  void hostsToml_host_oneDirectoryBelowCertsD() {
    NodePaths paths = new NodePaths(Path.of("/host"));

    assertEquals(Path.of("/host/etc/containerd/certs.d/ghcr.io/hosts.toml"), paths.hostsToml("ghcr.io"));
    assertEquals(paths.hostsToml("docker.io"), paths.dockerHubHostsToml());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".", "..", "../etc", "a/b"})
  void hostsToml_notAHostName_throws(String host) {
    assertThrows(IllegalArgumentException.class, () -> new NodePaths(Path.of("/host")).hostsToml(host));
  }

  @Test
  void dockerdPid_staleFileNamingAnotherProcess_empty(@TempDir Path root) throws Exception {
    Process other = new ProcessBuilder("sleep", "60").start();
    try {
      NodePaths paths = pidFile(root, other.pid());

      assertEquals(Optional.empty(), paths.dockerdPid(), "a sleep is not dockerd");
      assertTrue(other.isAlive());
    } finally {
      other.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void dockerdPid_liveProcessNamedDockerd_itsPid(@TempDir Path root) throws Exception {
    // The same sleep binary under dockerd's name: the kernel reports the executable's file name.
    Path dockerd = root.resolve("bin/dockerd");
    Files.createDirectories(dockerd.getParent());
    Files.copy(Path.of("/bin/sleep"), dockerd);
    dockerd.toFile().setExecutable(true);
    Process process = new ProcessBuilder(dockerd.toString(), "60").start();
    try {
      NodePaths paths = pidFile(root, process.pid());

      assertEquals(Optional.of(process.pid()), paths.dockerdPid());
    } finally {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void dockerdPid_noSuchProcess_empty(@TempDir Path root) throws IOException {
    assertEquals(Optional.empty(), pidFile(root, Integer.MAX_VALUE).dockerdPid());
  }

  private static NodePaths pidFile(Path root, long pid) throws IOException {
    NodePaths paths = new NodePaths(root);
    Files.createDirectories(paths.dockerPidFile().getParent());
    Files.writeString(paths.dockerPidFile(), pid + "\n");
    return paths;
  }
}
