package io.dockercache.distributor.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dockercache.distributor.node.NodePaths;
import io.dockercache.distributor.node.StepResult;
import io.dockercache.distributor.reconcile.Mirror;
import io.dockercache.distributor.reconcile.Mirrors;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the node agent refuses, and what it never waits for or signals, over a temp node root. */
class DockerConfigurerTest {

  private static final Mirrors MIRRORS = Mirrors.of(Mirror.of("10.1.2.3:30500"));

  @Test
  void apply_daemonJsonIsASymlink_refusedAndTheLinkKept(@TempDir Path root) throws IOException {
    NodePaths paths = new NodePaths(root);
    Files.createDirectories(paths.dockerEtc());
    Path target = root.resolve("shared/daemon.json");
    Files.createDirectories(target.getParent());
    Files.writeString(target, "{\"debug\": true}\n");
    Files.createSymbolicLink(paths.daemonJson(), target);
    DockerConfigurer configurer = new DockerConfigurer(paths, Duration.ofSeconds(5));

    StepResult applied = configurer.apply(MIRRORS);
    StepResult cleaned = configurer.cleanup();

    assertFalse(applied.ok(), applied::toString);
    assertTrue(applied.message().contains("symbolic link"), applied.message());
    assertFalse(cleaned.ok(), cleaned::toString);
    assertTrue(Files.isSymbolicLink(paths.daemonJson()), "still a link");
    assertEquals("{\"debug\": true}\n", Files.readString(target), "its target untouched");
  }

  @Test
  void apply_tempFilesLeftByACrash_swept_othersKept(@TempDir Path root) throws IOException {
    NodePaths paths = new NodePaths(root);
    Files.createDirectories(paths.dockerEtc());
    Path leftover = paths.dockerEtc().resolve(".daemon.json.4711.tmp");
    Path recordLeftover = paths.dockerEtc().resolve(".daemon.json.docker-cache.4712.tmp");
    Path admins = paths.dockerEtc().resolve("key.json");
    Files.writeString(leftover, "{\"half\":");
    Files.writeString(recordLeftover, "{");
    Files.writeString(admins, "{}");

    StepResult applied = new DockerConfigurer(paths, Duration.ofSeconds(5)).apply(MIRRORS);

    assertTrue(applied.ok(), applied::toString);
    assertFalse(Files.exists(leftover), "our temp file swept");
    assertFalse(Files.exists(recordLeftover), "the record's temp file swept");
    assertTrue(Files.exists(admins), "the admin's file kept");
  }

  @Test
  void apply_pidFileNamesAnotherProcess_itIsNotSignalled(@TempDir Path root) throws Exception {
    NodePaths paths = new NodePaths(root);
    Files.createDirectories(paths.dockerEtc());
    Process other = new ProcessBuilder("sleep", "60").start();
    try {
      Files.createDirectories(paths.dockerPidFile().getParent());
      Files.writeString(paths.dockerPidFile(), other.pid() + "\n");

      StepResult applied = new DockerConfigurer(paths, Duration.ofSeconds(2)).apply(MIRRORS);

      assertFalse(other.waitFor(1, TimeUnit.SECONDS), "the process the stale pid file names got no SIGHUP");
      assertTrue(applied.ok(), applied::toString);
      assertTrue(applied.message().contains("dockerd is not running"), applied.message());
    } finally {
      other.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void activeMirrors_daemonAcceptsButNeverAnswers_failsAfterTheTimeout(@TempDir Path root) throws IOException {
    Path socketFile = root.resolve("docker.sock");
    try (ServerSocketChannel wedged = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      wedged.bind(UnixDomainSocketAddress.of(socketFile));
      DockerSocket socket = new DockerSocket(socketFile, Duration.ofSeconds(1));

      IOException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
          () -> assertThrows(IOException.class, socket::activeMirrors));

      assertTrue(e.getMessage().contains("did not answer within"), e.getMessage());
    }
  }
}
