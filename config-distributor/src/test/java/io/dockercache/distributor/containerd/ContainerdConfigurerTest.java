package io.dockercache.distributor.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dockercache.common.config.UpstreamRegistries;
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
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ContainerdConfigurerTest {

  private static final Mirrors MIRROR = Mirrors.of(Mirror.of("10.1.2.3:30500"));
  private static final UpstreamRegistries NONE = UpstreamRegistries.none();

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

    StepResult first = configurer.apply(MIRROR, NONE);

    assertTrue(first.ok() && first.changed(), first::toString);
    assertFalse(first.message().contains("config_path"), "config_path is set: " + first);
    String written = Files.readString(file);
    assertTrue(written.contains("server = \"https://registry-1.docker.io\""), written);
    assertTrue(written.contains("[host.\"http://10.1.2.3:30500\"]\n  capabilities = [\"pull\", \"resolve\"]"), written);

    FileTime old = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
    Files.setLastModifiedTime(file, old);
    StepResult second = configurer.apply(MIRROR, NONE);
    assertFalse(second.changed(), second::toString);
    assertEquals(old, Files.getLastModifiedTime(file));

    assertTrue(configurer.cleanup().changed());
    if (original == null) {
      assertFalse(Files.exists(file), "our file removed");
    } else {
      assertEquals(original, Files.readString(file), "the admin's file restored");
    }
    assertFalse(Files.exists(configurer.backupFile("docker.io")));
    StepResult again = configurer.cleanup();
    assertTrue(again.ok() && !again.changed(), again::toString);
  }

  @Test
  void apply_severalMirrors_oneHostEachInOrder_thenTheNewList(@TempDir Path root) throws IOException {
    NodePaths paths = new NodePaths(root);
    Files.createDirectories(paths.containerdEtc());
    ContainerdConfigurer configurer = new ContainerdConfigurer(paths);

    configurer.apply(new Mirrors(List.of(Mirror.of("10.0.0.9:30500"), Mirror.of("10.0.0.12:30500"),
        Mirror.of("https://10.0.0.13:30501"))), NONE);

    String written = Files.readString(paths.dockerHubHostsToml());
    assertEquals(List.of("http://10.0.0.9:30500", "http://10.0.0.12:30500", "https://10.0.0.13:30501"),
        hosts(written), written);
    assertEquals(3, written.split("capabilities = \\[\"pull\", \"resolve\"]", -1).length - 1, written);

    StepResult moved = configurer.apply(Mirrors.of(Mirror.of("https://10.0.0.13:30501")), NONE);

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

    StepResult result = new ContainerdConfigurer(paths).apply(MIRROR, NONE);

    assertTrue(result.ok(), result::toString);
    assertTrue(result.message().contains("config_path is not set"), result.message());
  }

  @Test
  void apply_registries_oneHostsTomlPerHost_mirrorsInOrder_registryAsServer(@TempDir Path root)
      throws IOException {
    NodePaths paths = new NodePaths(root);
    Files.createDirectories(paths.containerdEtc());
    ContainerdConfigurer configurer = new ContainerdConfigurer(paths);
    Mirrors mirrors = new Mirrors(List.of(Mirror.of("10.0.0.9:30500"), Mirror.of("10.0.0.12:30500")));
    UpstreamRegistries registries = UpstreamRegistries.parse("ghcr.io=https://ghcr.io,nvcr.io=http://127.0.0.1:5001/");

    StepResult first = configurer.apply(mirrors, registries);

    assertTrue(first.ok() && first.changed(), first::toString);
    Map<String, String> servers = Map.of("docker.io", "https://registry-1.docker.io",
        "ghcr.io", "https://ghcr.io", "nvcr.io", "http://127.0.0.1:5001");
    for (Map.Entry<String, String> host : servers.entrySet()) {
      String written = Files.readString(paths.hostsToml(host.getKey()));
      assertTrue(written.startsWith(HostsToml.MARK), written);
      assertEquals(List.of("server = \"" + host.getValue() + "\""),
          written.lines().filter(l -> l.startsWith("server")).toList(), host.getKey() + ":\n" + written);
      assertEquals(List.of("http://10.0.0.9:30500", "http://10.0.0.12:30500"), hosts(written), written);
      assertEquals(2, written.split("capabilities = \\[\"pull\", \"resolve\"]", -1).length - 1, written);
    }
    assertEquals(Set.of("docker.io", "ghcr.io", "nvcr.io"), dirs(paths.containerdCertsDir()));

    FileTime old = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
    for (String host : servers.keySet()) {
      Files.setLastModifiedTime(paths.hostsToml(host), old);
    }
    StepResult second = configurer.apply(mirrors, registries);

    assertTrue(second.ok() && !second.changed(), second::toString);
    for (String host : servers.keySet()) {
      assertEquals(old, Files.getLastModifiedTime(paths.hostsToml(host)), host + " not rewritten");
    }
  }

  @Test
  void apply_hostsRemovedFromTheList_oursRemovedWithItsDirectory_adminsRestored(@TempDir Path root)
      throws IOException {
    NodePaths paths = new NodePaths(root);
    Files.createDirectories(paths.containerdEtc());
    String adminsQuay = "server = \"https://quay.io\"\n[host.\"https://quay-mirror.corp\"]\n  capabilities = [\"pull\"]\n";
    String adminsK8s = "server = \"https://registry.k8s.io\"\n";
    write(paths.hostsToml("quay.io"), adminsQuay);
    write(paths.hostsToml("registry.k8s.io"), adminsK8s);
    write(paths.hostsToml("nvcr.io").resolveSibling("ca.crt"), "a CA the admin put there\n");
    ContainerdConfigurer configurer = new ContainerdConfigurer(paths);

    configurer.apply(MIRROR, UpstreamRegistries.parse("ghcr.io=https://ghcr.io,quay.io=https://quay.io,nvcr.io=https://nvcr.io"));

    assertTrue(HostsToml.isOurs(Files.readString(paths.hostsToml("quay.io"))));
    assertEquals(adminsQuay, Files.readString(configurer.backupFile("quay.io")), "the admin's file kept");

    StepResult shrunk = configurer.apply(MIRROR, UpstreamRegistries.parse("ghcr.io=https://ghcr.io"));

    assertTrue(shrunk.ok() && shrunk.changed(), shrunk::toString);
    assertEquals(adminsQuay, Files.readString(paths.hostsToml("quay.io")), "the admin's file back");
    assertFalse(Files.exists(configurer.backupFile("quay.io")), "its backup gone");
    assertFalse(Files.exists(paths.hostsToml("nvcr.io")), "ours removed");
    assertEquals(List.of("ca.crt"), list(paths.hostsToml("nvcr.io").getParent()), "the admin's CA stays");
    assertTrue(HostsToml.isOurs(Files.readString(paths.hostsToml("ghcr.io"))), "ghcr.io still configured");

    StepResult none = configurer.apply(MIRROR, NONE);

    assertTrue(none.ok() && none.changed(), none::toString);
    assertFalse(Files.exists(paths.hostsToml("ghcr.io").getParent()), "ours removed with its empty directory");
    assertTrue(HostsToml.isOurs(Files.readString(paths.dockerHubHostsToml())), "docker.io always ours");
    assertEquals(adminsK8s, Files.readString(paths.hostsToml("registry.k8s.io")), "never configured: never touched");
    assertEquals(Set.of("docker.io", "quay.io", "registry.k8s.io", "nvcr.io"), dirs(paths.containerdCertsDir()));
  }

  @Test
  void apply_removedHostWhoseFileTheAdminReplaced_isLeftAlone(@TempDir Path root) throws IOException {
    NodePaths paths = new NodePaths(root);
    Files.createDirectories(paths.containerdEtc());
    ContainerdConfigurer configurer = new ContainerdConfigurer(paths);
    configurer.apply(MIRROR, UpstreamRegistries.parse("ghcr.io=https://ghcr.io"));
    String admins = "server = \"https://ghcr.io\"\n";
    Files.writeString(paths.hostsToml("ghcr.io"), admins);

    StepResult result = configurer.apply(MIRROR, NONE);

    assertTrue(result.ok(), result::toString);
    assertEquals(admins, Files.readString(paths.hostsToml("ghcr.io")));
  }

  @Test
  void cleanup_everyFileOfOursOut_adminsRestored_othersUntouched_twice(@TempDir Path root)
      throws IOException {
    NodePaths paths = new NodePaths(root);
    Files.createDirectories(paths.containerdEtc());
    String adminsHub = "server = \"https://registry-1.docker.io\"\n";
    String adminsQuay = "server = \"https://quay.io\"\n";
    String adminsK8s = "server = \"https://registry.k8s.io\"\n";
    write(paths.dockerHubHostsToml(), adminsHub);
    write(paths.hostsToml("quay.io"), adminsQuay);
    write(paths.hostsToml("registry.k8s.io"), adminsK8s);
    ContainerdConfigurer configurer = new ContainerdConfigurer(paths);
    // An earlier list left old.example behind in certs.d; cleanup finds it by our mark.
    configurer.apply(MIRROR, UpstreamRegistries.parse("old.example=https://old.example"));
    configurer.apply(MIRROR, UpstreamRegistries.parse("ghcr.io=https://ghcr.io,quay.io=https://quay.io"));
    Files.createDirectories(paths.hostsToml("old.example").getParent());
    Files.writeString(paths.hostsToml("old.example"), HostsToml.render(MIRROR, "https://old.example"));

    StepResult cleanup = configurer.cleanup();

    assertTrue(cleanup.ok() && cleanup.changed(), cleanup::toString);
    assertEquals(adminsHub, Files.readString(paths.dockerHubHostsToml()));
    assertEquals(adminsQuay, Files.readString(paths.hostsToml("quay.io")));
    assertEquals(adminsK8s, Files.readString(paths.hostsToml("registry.k8s.io")));
    assertEquals(Set.of("docker.io", "quay.io", "registry.k8s.io"), dirs(paths.containerdCertsDir()),
        "ghcr.io and old.example gone with their directories");
    for (String host : List.of("docker.io", "quay.io", "registry.k8s.io")) {
      assertEquals(List.of("hosts.toml"), list(paths.hostsToml(host).getParent()), host + ": no backup left");
    }

    StepResult again = configurer.cleanup();

    assertTrue(again.ok() && !again.changed(), again::toString);
    assertEquals(adminsQuay, Files.readString(paths.hostsToml("quay.io")));
  }

  private static void write(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  private static Set<String> dirs(Path dir) throws IOException {
    return new TreeSet<>(list(dir));
  }

  private static List<String> list(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
