package io.dockercache.distributor.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dockercache.distributor.node.NodePaths;
import io.dockercache.distributor.node.StepResult;
import io.dockercache.distributor.reconcile.Mirror;
import io.dockercache.distributor.reconcile.Mirrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ContainerdConfigurerTest {

  private static final Mirrors MIRROR = Mirrors.of(Mirror.of("10.1.2.3:30500"));

  static Stream<Arguments> before() {
    return Stream.of(
        Arguments.of("no hosts.toml", null),
        Arguments.of("the admin's hosts.toml", "server = \"https://registry-1.docker.io\"\n\n"
            + "[host.\"https://corp-mirror.example\"]\n  capabilities = [\"pull\"]\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("before")
  void applyTwice_cleanupTwice_whatWasThereIsBack(String name, String original, @TempDir Path root)
      throws IOException {
    NodePaths paths = new NodePaths(root);
    Files.createDirectories(paths.containerdEtc());
    Files.writeString(paths.containerdConfig(),
        "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".registry]\n  config_path = \"/etc/containerd/certs.d\"\n");
    Path file = paths.dockerHubHostsToml();
    if (original != null) {
      Files.createDirectories(file.getParent());
      Files.writeString(file, original);
    }
    ContainerdConfigurer configurer = new ContainerdConfigurer(paths);

    StepResult first = configurer.apply(MIRROR);

    assertTrue(first.ok() && first.changed(), first::toString);
    assertFalse(first.message().contains("config_path"), "config_path is set: " + first);
    String written = Files.readString(file);
    assertTrue(written.contains("server = \"https://registry-1.docker.io\""), written);
    assertTrue(written.contains("[host.\"http://10.1.2.3:30500\"]\n  capabilities = [\"pull\", \"resolve\"]"), written);

    FileTime old = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
    Files.setLastModifiedTime(file, old);
    StepResult second = configurer.apply(MIRROR);
    assertFalse(second.changed(), second::toString);
    assertEquals(old, Files.getLastModifiedTime(file));

    assertTrue(configurer.cleanup().changed());
    if (original == null) {
      assertFalse(Files.exists(file), "our file removed");
    } else {
      assertEquals(original, Files.readString(file), "the admin's file restored");
    }
    assertFalse(Files.exists(configurer.backupFile()));
    StepResult again = configurer.cleanup();
    assertTrue(again.ok() && !again.changed(), again::toString);
  }

  @Test
  void apply_severalMirrors_oneHostEachInOrder_thenTheNewList(@TempDir Path root) throws IOException {
    NodePaths paths = new NodePaths(root);
    Files.createDirectories(paths.containerdEtc());
    ContainerdConfigurer configurer = new ContainerdConfigurer(paths);

    configurer.apply(new Mirrors(List.of(Mirror.of("10.0.0.9:30500"), Mirror.of("10.0.0.12:30500"),
        Mirror.of("https://10.0.0.13:30501"))));

    String written = Files.readString(paths.dockerHubHostsToml());
    assertEquals(List.of("http://10.0.0.9:30500", "http://10.0.0.12:30500", "https://10.0.0.13:30501"),
        hosts(written), written);
    assertEquals(3, written.split("capabilities = \\[\"pull\", \"resolve\"]", -1).length - 1, written);

    StepResult moved = configurer.apply(Mirrors.of(Mirror.of("https://10.0.0.13:30501")));

    assertTrue(moved.changed(), moved::toString);
    assertEquals(List.of("https://10.0.0.13:30501"), hosts(Files.readString(paths.dockerHubHostsToml())));
  }

  /** The [host."..."] table names in file order. */
  private static List<String> hosts(String toml) {
    return toml.lines().filter(l -> l.startsWith("[host.\""))
        .map(l -> l.substring("[host.\"".length(), l.length() - "\"]".length())).toList();
  }

  @Test
  void apply_configPathNotSet_isReported(@TempDir Path root) throws IOException {
    NodePaths paths = new NodePaths(root);
    Files.createDirectories(paths.containerdEtc());
    Files.writeString(paths.containerdConfig(), "version = 2\n");

    StepResult result = new ContainerdConfigurer(paths).apply(MIRROR);

    assertTrue(result.ok(), result::toString);
    assertTrue(result.message().contains("config_path is not set"), result.message());
  }
}
